# Parity fixtures and Gymnasium benchmark (Python side).
# Included from the main Makefile; paths are relative to the repository root.
#
#   make parity-venv       pinned virtualenv in .venv/parity (git-ignored via .venv/)
#   make parity-fixtures   re-record Tests/EnvironmentsTests/Fixtures/*.bin + *.json (every MuJoCo task id)
#   make parity-check      independent bit-exact replay of the fixtures with raw mujoco
#   make bench-gymnasium   Gymnasium steps/s (median of 5) for Hopper, Walker2d, Humanoid (v5);
#                          `bench_gymnasium.py --tasks all` every MuJoCo id but Pusher-v4
#   make parity-cleanrl-rollout  re-record Tests/AlgorithmsTests/Fixtures/cleanrl-rollout-*.bin + *.json
#   make parity-resets     re-record Tests/EnvironmentsTests/Fixtures/gymnasium-resets.json (Gymnasium's seeded resets, every id)
#   make parity-rollout    `repro env rollout` against Gymnasium on the same actions file, every value (tolerance 0.0)
#   make numpy-random-fixture  NumPy's SeedSequence/PCG64/Generator output (Tests/ReproRandomTests/Fixtures/
#                          numpy-random.json) and its ziggurat tables (Sources/ReproRandom/NumPyZigguratTables.swift);
#                          needs only a NumPy 2.x (the system's python3 or the parity venv)
#
# The hashes in scripts/parity/requirements.txt are for CPython 3.11 on Linux
# x86_64; set PARITY_PYTHON to a python3.11 if `python3` is another version.

PARITY_PYTHON ?= python3
# The libm variants Repro fixes for every process (Sources/CMuJoCo/shim.c): the
# fixtures are recorded, and checked, with the same ones.
REPRO_HWCAPS  := glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX512F
# What glibc sees on a baseline x86-64 CPU (SSE2 only): `make test` runs the
# parity test and check-smoke as on such a CPU, with REPRO_NATIVE_LIBM=1 so that
# nothing is re-executed, and they must give the same bits.
BASELINE_CPU  := glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX512F,-AVX,-SSE4_1,-SSE4_2,-SSSE3,-AVX512VL,-AVX512BW,-AVX512DQ
PARITY_VENV   := .venv/parity
PARITY_PY     := $(PARITY_VENV)/bin/python
PARITY_REQS   := scripts/parity/requirements.txt
PARITY_STAMP  := $(PARITY_VENV)/.installed

.PHONY: parity-venv parity-fixtures parity-check bench-gymnasium parity-cleanrl-rollout numpy-random-fixture parity-resets parity-rollout

parity-venv: $(PARITY_STAMP)

# Rebuilt only when requirements.txt changes (the stamp records its sha256).
$(PARITY_STAMP): $(PARITY_REQS)
	@$(PARITY_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
	  { echo "parity-venv: $(PARITY_PYTHON) is not Python 3.11 (the pinned wheel hashes are cp311); set PARITY_PYTHON" >&2; exit 1; }
	@if [ -f $@ ] && [ "$$(cat $@)" = "$$(sha256sum $(PARITY_REQS) | cut -d' ' -f1)" ]; then exit 0; fi; \
	  rm -rf $(PARITY_VENV) && \
	  $(PARITY_PYTHON) -m venv $(PARITY_VENV) && \
	  $(PARITY_PY) -m pip install --quiet --disable-pip-version-check --no-input \
	    --require-hashes --no-deps --only-binary=:all: -r $(PARITY_REQS) && \
	  $(PARITY_PY) -c 'import gymnasium, mujoco; assert gymnasium.__version__ == "1.4.0" and mujoco.__version__ == "3.3.7"' && \
	  sha256sum $(PARITY_REQS) | cut -d' ' -f1 > $@

parity-fixtures: parity-venv
	GLIBC_TUNABLES=$(REPRO_HWCAPS) $(PARITY_PY) scripts/parity/record.py

parity-cleanrl-rollout: parity-venv
	GLIBC_TUNABLES=$(REPRO_HWCAPS) $(PARITY_PY) scripts/parity/record_cleanrl_rollout.py

parity-resets: parity-venv
	GLIBC_TUNABLES=$(REPRO_HWCAPS) $(PARITY_PY) scripts/parity/record_resets.py

parity-rollout: parity-venv build
	GLIBC_TUNABLES=$(REPRO_HWCAPS) $(PARITY_PY) scripts/parity/compare_rollout.py --repro $(REPRO) --format jsonl
	GLIBC_TUNABLES=$(REPRO_HWCAPS) $(PARITY_PY) scripts/parity/compare_rollout.py --repro $(REPRO) --format csv --seed 11 --steps 1200

parity-check: parity-venv
	GLIBC_TUNABLES=$(REPRO_HWCAPS) $(PARITY_PY) scripts/parity/check_semantics.py

bench-gymnasium: parity-venv
	GLIBC_TUNABLES=$(REPRO_HWCAPS) $(PARITY_PY) scripts/parity/bench_gymnasium.py

NUMPY_PYTHON ?= python3
numpy-random-fixture:
	$(NUMPY_PYTHON) scripts/parity/numpy_random.py --tables Sources/ReproRandom/NumPyZigguratTables.swift \
	  --fixture Tests/ReproRandomTests/Fixtures/numpy-random.json
