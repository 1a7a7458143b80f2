#!/usr/bin/env bash
# Where a training run's CPU time goes, from a sampling profile (perf, cpu-clock
# at 2 kHz): one Markdown row per (task, algorithm) with the share of samples in
# MuJoCo, libm (MuJoCo's sin/cos; our exp/log), the C network kernels, the rest
# of our code (Swift: rollouts, losses, GAE, bookkeeping), libc (copies,
# allocation) and the Swift runtime.
#
#   scripts/profile/where-time-goes.sh [REPRO] [ITERATIONS_SMALL ITERATIONS_HUMANOID]
#
# Defaults: .build/release/repro, 48 iterations (Hopper, Walker2d), 24 (Humanoid),
# as `repro bench overhead`. Needs `perf` (linux-perf); nothing else is written.
set -euo pipefail
repro=${1:-.build/release/repro}
small=${2:-48}
humanoid=${3:-24}
command -v perf > /dev/null || { echo "where-time-goes: needs perf (Debian: linux-perf)" >&2; exit 1; }
[ -x "$repro" ] || { echo "where-time-goes: no $repro; run make build first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| task | algorithm | iterations | MuJoCo | libm | network kernels (C) | our Swift | libc | Swift runtime | other |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for task in Hopper Walker2d Humanoid; do
  its=$small
  [ "$task" = Humanoid ] && its=$humanoid
  for alg in PPO TRPO; do
    perf record -q -e cpu-clock -F 2000 -o "$tmp/perf.data" \
      "$repro" train --task "$task" --algorithm "$alg" --iterations "$its" --quiet > /dev/null 2>&1
    perf report -i "$tmp/perf.data" --no-children --sort dso,sym --stdio -g none 2> /dev/null > "$tmp/report.txt"
    python3 - "$task" "$alg" "$its" "$tmp/report.txt" "$(basename "$repro")" <<'PY'
import re, sys
task, alg, its, path, ours = sys.argv[1:]
share = dict.fromkeys(["mujoco", "libm", "kernels", "swift", "libc", "runtime", "other"], 0.0)
for line in open(path):
    m = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[\.\]\s+(\S+)", line) or re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[k\]\s+(\S+)", line)
    if not m:
        continue
    pct, dso, sym = float(m.group(1)), m.group(2), m.group(3)
    if dso.startswith("libmujoco"): key = "mujoco"
    elif dso.startswith("libm."): key = "libm"
    elif dso == ours and re.match(r"repro_\w+_(avx512f|avx2|baseline)$", sym): key = "kernels"
    elif dso == ours: key = "swift"
    elif dso.startswith("libc."): key = "libc"
    elif dso.startswith("libswift") or dso.startswith("libFoundation") or dso.startswith("libdispatch"): key = "runtime"
    else: key = "other"
    share[key] += pct
cells = " | ".join(f"{share[k]:.1f}%" for k in ["mujoco", "libm", "kernels", "swift", "libc", "runtime", "other"])
print(f"| {task} | {alg} | {its} | {cells} |")
PY
  done
done
