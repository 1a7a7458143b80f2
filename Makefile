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

.PHONY: all deps build test bench-env clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG) --product repro

test: deps
	$(SWIFT) test -c $(CONFIG)

bench-env: build
	$(REPRO) bench env --repeats 5

clean:
	rm -rf .build

include scripts/parity/parity.mk
