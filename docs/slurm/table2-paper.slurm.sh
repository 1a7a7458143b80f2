#!/usr/bin/env bash
# table2 at scale paper on Slurm, written by `repro slurm`: 960 runs in 960 array
# tasks of 1 CPU(s); about 43.4 core-hours in all.
# Task i runs `repro run --shard i/960`: its share of the runs, 1 at a time, one
# thread each. Then a job that waits for every task (afterany: also after failures)
# writes the results archive, then the report from it.
#
# Time limit per task 00:26:00: the busiest task's runs (about 00:05:18 on
# 1 CPU(s), plus its longest run) x 1.5 + 10 minutes, priced by
# CostModel.reference (experiments/costs.json on the 2-core AMD EPYC, 2026-11-23).
#
# Safe to requeue (preemption, scancel + scontrol requeue): results are written
# atomically and each run is claimed, so a requeued task redoes only its runs in
# flight, and a task with nothing left exits at once. Resubmitting the whole
# script later trains only what is missing.
#
# Submit:  bash table2-paper.slurm.sh      (prints the two job ids)
# Watch:   squeue -u "$USER";  tail slurm/logs/*.out
# Needs on the cluster: this checkout with `make deps` and `swift build -c release` done
# in /work/main, and sbatch.
set -euo pipefail
cd '/work/main'
mkdir -p 'slurm/logs'

array=$(sbatch --parsable <<'SBATCH'
#!/usr/bin/env bash
#SBATCH --job-name=repro-table2-paper
#SBATCH --array=1-960
#SBATCH --cpus-per-task=1
#SBATCH --ntasks=1
#SBATCH --time=00:26:00
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=slurm/logs/%x-%A_%a.out
set -euo pipefail
cd '/work/main'
echo "task ${SLURM_ARRAY_TASK_ID} attempt ${SLURM_RESTART_COUNT:-0} on $(hostname) at $(date -u +%FT%TZ)"
exec '.build/release/repro' run 'experiments/table2.json' --scale 'paper' \
  --shard "${SLURM_ARRAY_TASK_ID}/960" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
  --results 'results' --quiet
SBATCH
)
array=${array%%;*}

report=$(sbatch --parsable --dependency=afterany:"$array" <<'SBATCH'
#!/usr/bin/env bash
#SBATCH --job-name=repro-table2-paper-report
#SBATCH --cpus-per-task=1
#SBATCH --ntasks=1
#SBATCH --time=00:30:00
#SBATCH --output=slurm/logs/%x-%j.out
set -euo pipefail
cd '/work/main'
'.build/release/repro' archive 'experiments/table2.json' --scale 'paper' --results 'results' --out 'reports/archive/table2-paper.jsonl'
'.build/release/repro' report 'experiments/table2.json' --scale 'paper' --from-archive 'reports/archive/table2-paper.jsonl' --out 'reports' \
  --command 'repro report experiments/table2.json --scale paper --from-archive reports/archive/table2-paper.jsonl'
SBATCH
)
report=${report%%;*}
echo "submitted array job $array (960 tasks) and report job $report (after the array)"

