#!/usr/bin/env bash
# CleanRL-style PyTorch PPO on Hopper-v5, CPU, one thread: steps/s, median of RUNS runs.
#   bash scripts/torchppo/bench.sh                   # 3 x 100,000 steps (seeds 1..3)
#   RUNS=3 STEPS=100000 ENV_STEPS=20000 bash scripts/torchppo/bench.sh
# steps/s = env steps actually taken / wall seconds from the first reset to the end of
# the last update (rollouts + GAE + 10x32 minibatch updates). 100,000 requested steps
# are 48 iterations x 2048 = 98,304 env steps (CleanRL's integer division).
# Also env steps per CPU second of the process: on a shared machine the wall-clock figure
# falls when others load the cores, the CPU-time one much less (wall/CPU ratio is printed).
# Then the environment-only steps/s of the same Gymnasium loop (ENV_STEPS=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
STEPS=${STEPS:-100000}
ENV_STEPS=${ENV_STEPS:-20000}

bash scripts/torchppo/setup.sh
PY=.venv/torchppo/bin/python
out=$(mktemp -d "${TMPDIR:-/tmp}/torchppo-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT

echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc $(nproc); cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for seed in $(seq 1 "$RUNS"); do
  "$PY" scripts/torchppo/ppo_continuous_action.py --total-timesteps "$STEPS" --seed "$seed" \
    --quiet --json "$out/run$seed.json" > "$out/run$seed.log"
  "$PY" - "$out/run$seed.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"run seed={s['seed']}: {s['env_steps']} env steps in {s['wall_s']:.1f} s -> {s['steps_per_s']:.0f} steps/s "
      f"(CPU {s['cpu_s']:.1f} s -> {s['steps_per_cpu_s']:.0f} steps per CPU s); "
      f"mean return last {s['report_iters']} iterations {s['recent_mean_return']:.1f} ({s['recent_episodes']} episodes)")
PY
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$out" "$RUNS" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
s = [json.load(open(f"{out}/run{i}.json")) for i in range(1, runs + 1)]
sps = [x["steps_per_s"] for x in s]
print(f"torch {s[0]['torch']}, gymnasium {s[0]['gymnasium']}, {s[0]['threads']} thread, {s[0]['env_id']}")
print(f"MEDIAN ppo steps_per_s {statistics.median(sps):.0f} over {runs} runs of {s[0]['env_steps']} env steps "
      f"(min {min(sps):.0f}, max {max(sps):.0f})")
cps = [x["steps_per_cpu_s"] for x in s]
print(f"MEDIAN ppo steps_per_cpu_s {statistics.median(cps):.0f} (min {min(cps):.0f}, max {max(cps):.0f}); "
      f"wall/CPU ratio median {statistics.median(x['wall_s'] / x['cpu_s'] for x in s):.2f} (1.00 = had a core to itself)")
PY
if [ "$ENV_STEPS" -gt 0 ]; then
  "$PY" scripts/torchppo/bench_env.py --steps "$ENV_STEPS" --repeats 3
fi
