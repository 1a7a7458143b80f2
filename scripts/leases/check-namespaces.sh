#!/usr/bin/env bash
# Two runners on one results folder, each in a PID namespace of its own (as two
# containers that share the host name but not their processes): every run must be
# trained exactly once. Each runner sees the other's leases with a PID it cannot
# look up, so only the lease period may make a lease stale (Issue 25).
# Usage: check-namespaces.sh REPRO. Exit 0 when it holds, 1 when it does not, 77
# when PID namespaces cannot be made here (not root, or no unshare).
set -uo pipefail
repro=$(realpath "${1:-.build/release/repro}")
if ! command -v unshare >/dev/null 2>&1 || ! unshare --pid --fork --mount-proc true 2>/dev/null; then
  echo "check-namespaces: skipped: cannot create PID namespaces here (needs root and unshare)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/repro-ns.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat > "$work/ns.json" <<'JSON'
{"name": "ns", "citation": "two runners in two PID namespaces", "tasks": ["Hopper"],
 "algorithms": {"PPO": {"preset": "PPO"}}, "seeds": {"count": 8, "base": 1},
 "scales": {"tiny": {"iterations": 5, "stepsPerIteration": 2048, "note": "a check of leases"}},
 "defaultScale": "tiny", "score": {"method": "lastMean", "iterations": 1}}
JSON
# The second runner starts a few processes first, so that the two runners' PIDs differ:
# each one's PID then names no process, or another one, in the other's namespace.
for i in 1 2; do
  unshare --pid --fork --mount-proc bash -c "for k in \$(seq $((i * 5))); do /bin/true; done; \"\$0\" \"\$@\"; exit \$?" \
    "$repro" run "$work/ns.json" --results "$work/results" --jobs 1 >"$work/runner$i.log" 2>&1 &
done
wait
completed=0
for i in 1 2; do
  line=$(grep -E '^ns \(tiny\): 8 runs:' "$work/runner$i.log" || true)
  [ -n "$line" ] || { echo "check-namespaces: FAIL: runner $i did not finish:"; cat "$work/runner$i.log"; exit 1; }
  echo "check-namespaces: runner $i: ${line#*: 8 runs: }"
  n=$(sed -E 's/.* ([0-9]+) completed now.*/\1/' <<<"$line")
  completed=$((completed + n))
  # Both start on an empty folder and a run takes far longer than the start's scan, so a run
  # counted "already done" was trained here after the other runner had stored it (older
  # builds counted such runs so; this one says "also trained here").
  if grep -q "also trained here" <<<"$line" || ! grep -q ": 0 already done" <<<"$line"; then
    echo "check-namespaces: FAIL: runner $i trained runs that the other runner was training (it took a live lease as dead)"
    exit 1
  fi
done
stored=$(ls "$work/results/ns"/*.json 2>/dev/null | wc -l)
if [ "$completed" -ne 8 ] || [ "$stored" -ne 8 ]; then
  echo "check-namespaces: FAIL: $completed runs trained for 8 runs ($stored stored): a run was trained twice or lost"
  exit 1
fi
echo "check-namespaces: ok: 8 runs, each trained once, by two runners in two PID namespaces"
