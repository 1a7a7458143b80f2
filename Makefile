# Repro: every target depends on `deps`, so a fresh clone needs no manual step.
#   make test                 build (release) and run the whole test suite, the parity test as a CPU
#                             without FMA/AVX2, and check-smoke
#   make reproduce-table2     the paper's Table 2 (SCALE=paper|quick|smoke; JOBS=cores); resumable, continues
#                             from the committed archive (VERIFY=1 of its runs retrained first)
#   make reproduce-table3     the paper's Table 3, likewise
#   make reproduce-cleanrl    CleanRL's PPO (preset CleanRL) on the v5 tasks beside CleanRL's published v4 figures
#   make check-latex          compile every LaTeX fragment in a plain article (fails on overfull boxes), pages to PNG
#   make check-slurm          repro slurm on a private single-node Slurm vs a local run (root; installs slurm-wlm)
#   make check-figures        render every committed figure to PNG (librsvg) and check ink and panel count, and the LaTeX pages
#   make check-reports        regenerate the reports made from reports/archive/ and compare byte for byte
#   make check-smoke          rerun experiments/smoke.json and experiments/regression.json, compare bit for bit with reports/golden/
#   make bench-env            environment steps/s (median of 5)
#   make bench-overhead       a run's CPU time against replaying its environment steps alone
#   make bench-ppo            PPO on Hopper-v5, paper budget, 5 seeds (bench-trpo likewise)
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
# Build folder (SwiftPM's --scratch-path); several checkouts or agents can keep their own.
BUILD_DIR ?= .build
REPRO := $(BUILD_DIR)/$(CONFIG)/repro
SCALE ?= paper
JOBS ?= $(shell nproc)

.PHONY: all deps build test check-reports check-figures bench-env bench-overhead check-slurm bench-ppo bench-trpo bench-parallel check-latex clean check-smoke

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG) --scratch-path $(BUILD_DIR) --product repro

# Every test, then the parity test again as on a baseline x86-64 CPU (no FMA, no
# AVX: the libm variants Repro fixes for every process, Sources/CMuJoCo/shim.c,
# are that CPU's), then the bit-for-bit regression checks, both ways too.
test: deps
	$(SWIFT) test -c $(CONFIG) --scratch-path $(BUILD_DIR)
	REPRO_NATIVE_LIBM=1 GLIBC_TUNABLES=$(BASELINE_CPU) $(SWIFT) test -c $(CONFIG) --scratch-path $(BUILD_DIR) \
	  --skip-build --filter ParityTests
	$(MAKE) --no-print-directory check-smoke
	$(MAKE) --no-print-directory check-reports
	python3 scripts/torchppo/crosscheck.py --self-test
	@scripts/leases/check-namespaces.sh $(REPRO); rc=$$?; \
	  if [ $$rc -eq 77 ]; then echo "make test: the PID-namespace lease check was skipped (reason above)"; \
	  elif [ $$rc -ne 0 ]; then exit $$rc; fi
	@scripts/slurm/check.sh $(REPRO); rc=$$?; \
	  if [ $$rc -eq 77 ]; then echo "make test: the Slurm check was skipped (reason above); everything else passed"; \
	  elif [ $$rc -ne 0 ]; then exit $$rc; fi

# make reproduce-<name> for experiments/<name>.json (table2, table3, cleanrl, figure1, ...):
# continues from the committed archive reports/archive/<name>-<scale>.jsonl when there is one
# (repro run --from-archive: VERIFY of its runs, default 1, are retrained first and must match
# bit for bit; its runs are not retrained), runs every missing run (finished ones are skipped,
# so rerunning resumes), archives the results with the archive's runs, then writes
# reports/<table>-<scale>.md, .tex, .json, .svg (and the curves and LaTeX fragments)
# from the archive, so that the committed report can be regenerated (make check-reports).
# FROM_ARCHIVE= (empty) trains every run here instead.
VERIFY ?= 1
FROM_ARCHIVE ?= reports/archive/$*-$(SCALE).jsonl
reproduce-%: build
	$(REPRO) run experiments/$*.json --scale $(SCALE) --jobs $(JOBS) \
	  $(if $(wildcard $(FROM_ARCHIVE)),--from-archive $(FROM_ARCHIVE) --verify $(VERIFY))
	$(REPRO) archive experiments/$*.json --scale $(SCALE)
	$(REPRO) report experiments/$*.json --scale $(SCALE) --from-archive reports/archive/$*-$(SCALE).jsonl \
	  --command "make reproduce-$* SCALE=$(SCALE)"

# Renders every committed figure (reports/*.svg: bar charts, curves, trust regions, grids) to PNG
# with librsvg and checks that each is inked and has the panels its SVG declares; then the
# LaTeX pages make check-latex rendered to $(LATEX_PNG) (each inked).
check-figures:
	scripts/figures/check.sh -o $${FIGURES_OUT:-/tmp/repro-figures} $$(ls reports/*.svg 2>/dev/null)
	@if ls $(LATEX_PNG)/*.png >/dev/null 2>&1; then python3 scripts/figures/check_png.py --pages --min-ink 0.002 $(LATEX_PNG)/*.png; \
	  else echo "check-figures: no LaTeX pages in $(LATEX_PNG) (make check-latex renders them)"; fi

# Every committed report made from a results archive (reports/archive/) is regenerated
# from it, with the date, commit, machine and command it records, and compared byte for byte.
check-reports: build
	python3 scripts/reports/check-archived.py $(REPRO)

# Regression check: seconds; fails on any bit that moved. regression.json runs every
# preset on every task (2 x 2048 steps), a TRPO whose line search rejects and a run that diverges.
check-smoke: build
	$(REPRO) check experiments/smoke.json --golden reports/golden/smoke.json
	$(REPRO) check experiments/regression.json --golden reports/golden/regression.json
	REPRO_NATIVE_LIBM=1 GLIBC_TUNABLES=$(BASELINE_CPU) $(REPRO) check experiments/smoke.json --golden reports/golden/smoke.json
	REPRO_NATIVE_LIBM=1 GLIBC_TUNABLES=$(BASELINE_CPU) $(REPRO) check experiments/regression.json --golden reports/golden/regression.json

check-slurm: build
	scripts/slurm/check.sh $(REPRO)

bench-env: build
	$(REPRO) bench env --repeats 5

bench-overhead: build
	$(REPRO) bench overhead --repeats 3

# PPO / TRPO on Hopper-v5 at the paper's budget (488 x 2048 steps), 5 seeds,
# one core per agent (BENCH_JOBS at a time; 1 gives clean single-core times).
BENCH_JOBS ?= 1
bench-ppo: build
	$(REPRO) bench train --task Hopper --algorithm PPO --seeds 5 --jobs $(BENCH_JOBS)

bench-trpo: build
	$(REPRO) bench train --task Hopper --algorithm TRPO --seeds 5 --jobs $(BENCH_JOBS)

# The runner's parallel speed-up: the same eight equal runs with --jobs 1, then --jobs 2,
# each into a fresh temporary results folder.
bench-parallel: build
	@set -e; for j in 1 2; do d=$$(mktemp -d); s=$$(date +%s.%N); \
	  $(REPRO) run experiments/bench-parallel.json --jobs $$j --results $$d > /dev/null 2>&1; \
	  e=$$(date +%s.%N); rm -rf $$d; awk -v j=$$j -v s=$$s -v e=$$e 'BEGIN { printf "jobs %d: %.1f s\n", j, e - s }'; done

# Compiles the LaTeX reports with pdflatex (installs Debian's texlive-latex-recommended and
# poppler-utils when pdflatex or pdftoppm is missing; needs root), then runs the compile tests,
# which skip without it; then scripts/latex/check.sh: every committed -table.tex fragment
# \input into a plain one-column article, every -table-wide.tex into a two-column one, every
# -curves.tex beside its SVG converted to PDF (rsvg-convert, librsvg2-bin), and every
# standalone report; an overfull box in a fragment fails (in a standalone report it is a
# warning). The pages are rendered to PNG in $(LATEX_PNG), which make check-figures checks.
LATEX_PNG ?= /tmp/repro-latex
check-latex: deps
	@command -v pdflatex >/dev/null && command -v pdftoppm >/dev/null || { apt-get update -qq && apt-get install -y -qq texlive-latex-recommended poppler-utils >/dev/null; }
	$(SWIFT) test -c $(CONFIG) --scratch-path $(BUILD_DIR) --filter LaTeXCompileTests
	@command -v rsvg-convert >/dev/null || { apt-get update -qq && apt-get install -y -qq librsvg2-bin >/dev/null; }
	scripts/latex/check.sh -o $(LATEX_PNG) reports

clean:
	rm -rf $(BUILD_DIR)

include scripts/parity/parity.mk
