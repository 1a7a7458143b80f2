# Repro: every target depends on `deps`, so a fresh clone needs no manual step.
#   make test                 build (release) and run the whole test suite
#   make reproduce-table2     the paper's Table 2 (SCALE=paper|quick)
#   make bench-env            environment steps/s (median of 5)
#   make bench-ppo            PPO on Hopper-v5, paper budget, 5 seeds
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
REPRO := .build/$(CONFIG)/repro
SCALE ?= paper
JOBS ?= $(shell nproc)

.PHONY: all deps build test bench-env bench-ppo bench-trpo clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG) --product repro

test: deps
	$(SWIFT) test -c $(CONFIG)

bench-env: build
	$(REPRO) bench env --repeats 5

# PPO / TRPO on Hopper-v5 at the paper's budget (488 x 2048 steps), 5 seeds,
# one core per agent (BENCH_JOBS at a time; 1 gives clean single-core times).
BENCH_JOBS ?= 1
bench-ppo: build
	$(REPRO) bench train --task Hopper --algorithm PPO --seeds 5 --jobs $(BENCH_JOBS)

bench-trpo: build
	$(REPRO) bench train --task Hopper --algorithm TRPO --seeds 5 --jobs $(BENCH_JOBS)

clean:
	rm -rf .build

include scripts/parity/parity.mk
