#!/usr/bin/env bash
# libFuzzer over manifest validation (outside CI; the seeded fuzz test in the
# suite, ManifestFuzzTests, runs in `make test`):
#
#   scripts/fuzz/manifest-fuzz.sh [SECONDS]      (default 300)
#
# Builds the manifest modules with -sanitize=fuzzer into .build-fuzz, links the
# entry point scripts/fuzz/ManifestFuzzer.swift, and fuzzes from the shipped
# manifests as the seed corpus (copied into .build-fuzz/corpus, which grows).
# A crash leaves crash-* in .build-fuzz with the input that caused it.
set -euo pipefail
seconds=${1:-300}
cd "$(dirname "$0")/../.."
build=.build-fuzz
swift build -c release --scratch-path "$build" --target Experiments -Xswiftc -sanitize=fuzzer > /dev/null
objects=$(find "$build/release/" \( -path '*/RunModel.build/*.o' -o -path '*/ReproRandom.build/*.o' \
  -o -path '*/Statistics.build/*.o' -o -path '*/Reports.build/*.o' -o -path '*/Experiments.build/*.o' \) | sort)
swiftc -O -sanitize=fuzzer -parse-as-library -I "$build/release/Modules" -I "$build/release" \
  scripts/fuzz/ManifestFuzzer.swift $objects -o "$build/manifest-fuzzer"
mkdir -p "$build/corpus"
cp experiments/*.json "$build/corpus/"
cd "$build"
./manifest-fuzzer -max_total_time="$seconds" -max_len=200000 -timeout=10 corpus
