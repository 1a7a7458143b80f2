#!/usr/bin/env bash
# make check-slurm: `repro slurm` on a real single-node Slurm (cluster.sh), against a local run.
#
#   A  repro slurm experiments/slurm-check.json --submit (3 array tasks, 2 CPUs) trains its 6 runs;
#      the report job's report (from its archive) must equal, byte for byte, `repro run` +
#      `repro archive` + `repro report --from-archive` run here, but for the compute section
#      (core-hours per cell: a measurement).
#   B  the same into a fresh results folder, but one array task is requeued while it runs
#      (`scontrol requeue A_i`, as a preemption does): it runs again (attempt 1 in its log), the
#      report job waits for it, and the report is again the same.
# Reports are pinned (REPRO_REPORT_DATE, _COMMIT, _COMPUTE_HOURS) so that only the runs decide.
#
# usage: scripts/slurm/check.sh [REPRO]     (default .build/release/repro; build it first)
# exit:  0 pass, 1 fail, 77 Slurm cannot be installed or started here (the reason is printed)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
REPRO=${1:-.build/release/repro}
CLUSTER=scripts/slurm/cluster.sh
MANIFEST=experiments/slurm-check.json
T0=$SECONDS
log() { printf '[check-slurm %4ds] %s\n' $((SECONDS - T0)) "$*"; }
[ -x "$REPRO" ] || { log "no $REPRO: build first (swift build -c release)"; exit 1; }

if ! "$CLUSTER" install > /dev/null 2> /tmp/check-slurm-install.err; then
  log "SKIP: Slurm cannot be installed here: $(tail -1 /tmp/check-slurm-install.err)"
  exit 77
fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/repro-check-slurm.XXXXXX")
if ! envlines=$("$CLUSTER" start "$DIR" 2> "$DIR/start.err"); then
  log "SKIP: Slurm could not be started here: $(sed -n 's/.*cannot start Slurm: //p' "$DIR/start.err" | tail -1)"
  rm -rf "$DIR"
  exit 77
fi
eval "$envlines"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  "$CLUSTER" stop "$DIR" > /dev/null 2>&1 || true
  if [ $rc -eq 0 ]; then rm -rf "$DIR"; else log "kept $DIR (Slurm logs in $DIR/log, jobs' output in $DIR/work/*/slurm/logs)"; fi
  log "daemons stopped; exit $rc"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log "Slurm $(sinfo -V | awk '{print $2}') running in $DIR: $(sinfo -h -o '%D node, %c CPUs, %T')"

export REPRO_REPORT_DATE=2026-01-01T00:00:00Z REPRO_REPORT_COMMIT=check-slurm REPRO_REPORT_COMPUTE_HOURS=0
W=$DIR/work
mkdir -p "$W"

# The local reference: the same runs, here.
"$REPRO" run "$MANIFEST" --results "$W/local/results" --jobs 2 --quiet > /dev/null
"$REPRO" archive "$MANIFEST" --results "$W/local/results" --out "$W/local/archive.jsonl" > /dev/null
"$REPRO" report "$MANIFEST" --from-archive "$W/local/archive.jsonl" --out "$W/local/reports" \
  --command "repro report $MANIFEST --scale check --from-archive reports/archive/slurm-check-check.jsonl" > /dev/null
log "local: $(ls "$W/local/results/slurm-check" | grep -c json) runs and a report"

# wait_done TIMEOUT JOBID...: until squeue lists none of them (arrays: any task)
wait_done() {
  local deadline=$((SECONDS + $1)); shift
  local ids; ids=$(IFS=,; echo "$*") out=""
  while [ $SECONDS -lt $deadline ]; do
    if out=$(squeue -h -r -j "$ids" -o '%i %T' 2>&1); then
      [ -z "$out" ] && return 0
    elif echo "$out" | grep -q 'Invalid job id'; then
      return 0
    fi
    sleep 0.5
  done
  log "timeout waiting for $ids; still: $(echo "$out" | tr '\n' ';')"
  return 1
}

# submit CASE: repro slurm --submit from a work folder of its own; prints "ARRAY REPORT"
submit() {
  local case=$W/$1
  mkdir -p "$case"
  cp -r experiments "$case/"
  local out
  out=$(cd "$case" && "$ROOT/$REPRO" slurm "$MANIFEST" --submit --array-size 3 --results results --out reports \
    --script slurm/check.slurm.sh --repro "$ROOT/$REPRO")
  echo "$out" | sed 's/^/    /' >&2
  echo "$out" | sed -n 's/^submitted array job \([0-9]*\) .* report job \([0-9]*\) .*/\1 \2/p'
}

# The report without its compute section (core-hours per cell: a measurement, other
# runs than the local ones took other times) and without the archive file it was read
# from (the local report reads its own; the JSON still compares the runs' content
# sha256); everything else must be the same bytes.
without_compute() { # FILE
  case "$1" in
    *.json) python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r.pop("compute",None); (r["provenance"].get("archive") or {}).pop("read",None); print(json.dumps(r,sort_keys=True))' "$1" ;;
    *.md) sed '/^## Compute$/,/^## Provenance$/d; /^- \*\*Archive:\*\*/d' "$1" ;;
    *.tex) sed '/^\\subsection\*{Compute}$/,/^\\subsection\*{Provenance}$/d; /textbf{Archive:}/d' "$1" ;;
    *) cat "$1" ;;
  esac
}

same_report() { # CASE
  local a=$W/local/reports b=$W/$1/reports f ok=0 n=0
  for f in $(cd "$a" && ls -p | grep -v /); do
    n=$((n + 1))
    if ! cmp -s <(without_compute "$a/$f") <(without_compute "$b/$f"); then
      log "FAIL $1: $f differs from the local report"; diff <(without_compute "$a/$f") <(without_compute "$b/$f") | head -5; ok=1
    fi
  done
  [ $ok -eq 0 ] && log "ok   $1: the report is the local one, byte for byte but for its compute section and the archive file it read ($n files: $(cd "$b" && ls -p | grep -v / | tr '\n' ' '))"
  return $ok
}

FAILS=0
# ---- A: a plain submission
read -r A AR < <(submit A)
[ -n "$A" ] || { log "FAIL A: no job ids"; exit 1; }
log "A: array job $A (3 tasks), report job $AR"
wait_done 300 "$A" "$AR" || exit 1
log "A: every job ended: $(grep -c "ArrayJobId=$A " "$DIR/log/jobcomp.log") array tasks and the report job in jobcomp.log"
same_report A || FAILS=$((FAILS + 1))
[ -s "$W/A/reports/archive/slurm-check-check.jsonl" ] && log "ok   A: the report job wrote the archive" || { log "FAIL A: no archive"; FAILS=$((FAILS + 1)); }

# ---- B: one task requeued while it runs
read -r B BR < <(submit B)
[ -n "$B" ] || { log "FAIL B: no job ids"; exit 1; }
log "B: array job $B (3 tasks), report job $BR"
deadline=$((SECONDS + 120)); victim=""
while [ $SECONDS -lt $deadline ] && [ -z "$victim" ]; do
  # a running task that has finished at most one of its runs
  for t in 2 3 1; do
    st=$(scontrol show job "${B}_$t" 2>/dev/null | grep -o 'JobState=[A-Z]*' | head -1 | cut -d= -f2 || true)
    if [ "$st" = RUNNING ]; then victim=$t; break; fi
  done
  [ -z "$victim" ] && sleep 0.3
done
[ -n "$victim" ] || { log "FAIL B: no task seen running"; exit 1; }
sleep 2
scontrol requeue "${B}_$victim"
log "B: requeued task $victim while it ran (scontrol requeue ${B}_$victim)"
wait_done 300 "$B" "$BR" || exit 1
logfile=$(ls "$W/B/slurm/logs/"*"_$victim.out" 2>/dev/null | head -1)
if grep -q "task $victim attempt 1" "$logfile" 2>/dev/null; then
  log "ok   B: task $victim ran again ($(grep -c '^task ' "$logfile") attempts in its log)"
else
  log "FAIL B: task $victim has no second attempt in $logfile"; FAILS=$((FAILS + 1))
fi
restarts=$(grep "JobId=.* ArrayJobId=$B ArrayTaskId=$victim " "$DIR/log/jobcomp.log" | grep -o 'JobState=[A-Z]*' | tr '\n' ' ')
log "B: task $victim in jobcomp.log: ${restarts:-none}"
same_report B || FAILS=$((FAILS + 1))

[ $FAILS -eq 0 ] && log "PASS: Slurm reports equal the local report, also after a requeue" || log "FAILED: $FAILS check(s)"
exit $((FAILS > 0))
