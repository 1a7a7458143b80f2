#!/usr/bin/env bash
# Self-test of the private single-node Slurm cluster (cluster.sh), with small shell jobs only.
# Proves what Repro's `repro slurm` test relies on:
#   A  a job array of 4 one-CPU tasks runs 2 at a time, each task writes a file; a job with
#      --dependency=afterany:<array> runs after every task has ended; one running task (A_2) is
#      killed with `scancel A_2`, requeued with `scontrol requeue A_2`, runs again
#      (SLURM_RESTART_COUNT=1) and completes; final states read with scontrol and jobcomp.log
#      (sacct needs accounting storage, which this cluster does not have: reported, not required)
#   B  `scontrol requeue B_1` on a RUNNING task that is the array's last unfinished one: the task
#      reruns and the afterany job still waits for the rerun
#   C  real preemption: a 2-CPU job in partition 'urgent' preempts the running task C_1, which
#      Slurm requeues; the afterany job waits for the rerun
#   D  (observed, not asserted) `scancel` of the last unfinished task releases the afterany job at
#      once, so a later `scontrol requeue` is too late for it
# Every wait is bounded. The daemons are stopped at the end, also on failure or Ctrl-C.
#
# usage: selftest.sh [--keep]      --keep: leave the temporary folder (logs, job files) in place
# exit:  0 pass, 1 fail, 77 Slurm could not be started here (skip)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CLUSTER=$HERE/cluster.sh
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1

T0=$(date +%s.%N)
now() { date +%s.%N; }
rel() { awk -v t="$1" -v t0="$T0" 'BEGIN { printf "%.1f", t - t0 }'; }
log() { printf '[%6ss] %s\n' "$(rel "$(now)")" "$*"; }
FAILS=0
ok()   { log "ok   $*"; }
bad()  { log "FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
fatal() { log "FAIL $*"; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/repro-slurm-selftest.XXXXXX")
W=$DIR/work
mkdir -p "$W"
STARTED=0
PIDS_SEEN=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ $STARTED -eq 1 ]; then
    log "stopping the cluster"
    local t=$SECONDS
    "$CLUSTER" stop "$DIR" 2>&1 | sed 's/^/    /' || true
    log "stopped in $((SECONDS - t)) s"
    local p left=""
    for p in $PIDS_SEEN; do
      if [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]; then
        left="$left $p"
      fi
    done
    if [ -n "$left" ]; then log "FAIL daemons still running after stop:$left"; rc=1
    else log "ok   no daemon left (pids$PIDS_SEEN gone)"; fi
  fi
  if [ $rc -eq 0 ] && [ $KEEP -eq 0 ]; then
    rm -rf "$DIR"
  else
    log "kept $DIR (logs in $DIR/log, job files in $W)"
  fi
  log "total $(rel "$(now)") s, exit $rc"
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ------------------------------------------------------------------ helpers
# state JOB -> JobState from scontrol (empty once the record is gone)
state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2 || true; }
restarts() { scontrol show job "$1" 2>/dev/null | grep -o 'Restarts=[0-9]*' | head -1 | cut -d= -f2 || true; }

# wait_state JOB STATE TIMEOUT
wait_state() {
  local job=$1 want=$2 deadline=$((SECONDS + $3)) s=""
  while [ $SECONDS -lt $deadline ]; do
    s=$(state "$job")
    [ "$s" = "$want" ] && return 0
    sleep 0.2
  done
  log "timeout: $job is '${s:-gone}' after $3 s, wanted $want"
  return 1
}

# wait_done TIMEOUT JOBID... : until none of these jobs (arrays: any task) is pending, running,
# completing or being requeued
wait_done() {
  local timeout=$1; shift
  local ids; ids=$(IFS=,; echo "$*")
  local deadline=$((SECONDS + timeout)) out
  while [ $SECONDS -lt $deadline ]; do
    if out=$(squeue -h -r -j "$ids" -o '%i %T' 2>&1); then
      [ -z "$out" ] && return 0
    elif echo "$out" | grep -q 'Invalid job id'; then
      return 0   # records already purged (MinJobAge): finished
    fi
    sleep 0.3
  done
  log "timeout after $timeout s waiting for $ids; still: $(echo "$out" | tr '\n' ';')"
  return 1
}

# the task script: records start/term/end with times and SLURM_RESTART_COUNT in
# $W/<tag>/task_<i>.log and writes $W/<tag>/result_<i> when it completes.
# Sleep length: SLEEP_<restart count> from the environment (e.g. SLEEP_0=6 SLEEP_1=2),
# SLEEP_TASK=k:v overrides it for task k's first try.
cat >"$W/task.sh" <<'EOF'
#!/bin/bash
i=$SLURM_ARRAY_TASK_ID r=${SLURM_RESTART_COUNT:-0}
out=$SELFTEST_OUT; mkdir -p "$out"
t() { date +%s.%N; }
echo "start task=$i try=$r job=$SLURM_JOB_ID t=$(t)" >>"$out/task_$i.log"
trap 'echo "term task=$i try=$r t=$(t)" >>"$out/task_$i.log"; kill $pid 2>/dev/null; exit 143' TERM
eval "d=\${SLEEP_$r:-\${SLEEP_0:-3}}"
# SLEEP_TASK=k:v: task k sleeps v seconds on its first try
if [ -n "${SLEEP_TASK:-}" ] && [ "$i" = "${SLEEP_TASK%%:*}" ] && [ "$r" = 0 ]; then d=${SLEEP_TASK#*:}; fi
sleep "$d" & pid=$!
wait $pid
echo "task $i done on try $r" >"$out/result_$i"
echo "end task=$i try=$r t=$(t)" >>"$out/task_$i.log"
EOF
cat >"$W/report.sh" <<'EOF'
#!/bin/bash
out=$SELFTEST_OUT
n=$(ls "$out"/result_* 2>/dev/null | wc -l)
echo "report t=$(date +%s.%N) results=$n" >"$out/report.log"
EOF
chmod +x "$W/task.sh" "$W/report.sh"

# submit_array TAG ARRAY ENV... -> array job id
submit_array() {
  local tag=$1 arr=$2; shift 2
  mkdir -p "$W/$tag"
  env SELFTEST_OUT="$W/$tag" "$@" sbatch --parsable --array="$arr" -c1 -J "$tag" \
    --chdir="$W" --open-mode=append -o "$W/$tag/slurm-%A_%a.out" --export=ALL "$W/task.sh"
}
submit_report() { # TAG DEP
  env SELFTEST_OUT="$W/$1" sbatch --parsable -c1 -J "$1-report" --dependency="afterany:$2" \
    --chdir="$W" -o "$W/$1/slurm-report-%j.out" --export=ALL "$W/report.sh"
}

# events TAG -> "time +1|-1" lines for every attempt of every task (start: +1, term/end: -1)
max_overlap() {
  cat "$W/$1"/task_*.log | awk '{ for (k = 1; k <= NF; k++) if ($k ~ /^t=/) t = substr($k, 3);
                                   print t, ($1 == "start" ? 1 : -1) }' |
    sort -k1,1g -k2,2n | awk '{ c += $2; if (c > m) m = c } END { print m + 0 }'
}
last_end() { grep -h '^end ' "$W/$1"/task_*.log | sed 's/.* t=//' | sort -g | tail -1; }
report_time() { sed -n 's/^report t=\([0-9.]*\).*/\1/p' "$W/$1/report.log" 2>/dev/null; }
report_results() { sed -n 's/.* results=//p' "$W/$1/report.log" 2>/dev/null; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
show_log() { # TAG: the tasks', the report's (and urgent job's) events in time order, t from T0
  { cat "$W/$1"/task_*.log
    [ -f "$W/$1/report.log" ] && sed 's/^report t=\([0-9.]*\) \(.*\)/report-job(afterany) \2 t=\1/' "$W/$1/report.log"
    [ -f "$W/$1/urgent.out" ] && sed 's/^urgent /urgent-job(preemptor) /' "$W/$1/urgent.out"
    true
  } | awk -v t0="$T0" '{ for (k = 1; k <= NF; k++) if ($k ~ /^t=/) { t = substr($k, 3); $k = sprintf("t=%.1fs", t - t0) } print t, $0 }' |
    sort -k1,1g | cut -d' ' -f2- | sed 's/^/      /'
  return 0
}
comp_states() { # JOBID(raw id of one task) -> its JobState records in jobcomp.log, in order
  grep -o "^JobId=$1 .*JobState=[A-Z_]*" "$DIR/log/jobcomp.log" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | tr '\n' ' '
}
raw_id() { scontrol show job "$1" 2>/dev/null | grep -o '^JobId=[0-9]*' | cut -d= -f2 || true; }

# ------------------------------------------------------------------ start
log "slurm: $(slurmctld -V 2>/dev/null || echo 'not installed'), state folder $DIR"
t=$SECONDS
if ! envlines=$("$CLUSTER" start "$DIR" 2>"$DIR/start.err"); then
  sed 's/^/    /' "$DIR/start.err"
  reason=$(grep -m1 'cannot start Slurm:' "$DIR/start.err" | sed 's/.*cannot start Slurm: //')
  echo "Slurm could not be started here: ${reason:-see $DIR/start.err}"
  KEEP=1
  exit 77
fi
STARTED=1
sed 's/^/    /' "$DIR/start.err"
eval "$envlines"
PIDS_SEEN=" $(cat "$DIR"/pids/*.pid | tr '\n' ' ')"
log "cluster up in $((SECONDS - t)) s: $envlines"
sinfo -N -o '%N %t %c %m %P' | sed 's/^/    /'

# ------------------------------------------------------------------ A
log "A: array of 4 tasks (1 CPU, 6 s each; 2 CPUs, so 2 at a time) + afterany report job"
A=$(submit_array A 0-3 SLEEP_0=6 SLEEP_1=3)
RA=$(submit_report A "$A")
log "A: array job $A, report job $RA (--dependency=afterany:$A)"
wait_state "${A}_2" RUNNING 60 || fatal "A_2 never ran"
sleep 1
s3=$(state "${A}_3")
log "A: ${A}_2 RUNNING, ${A}_3 $s3, report $(state "$RA"); scancel ${A}_2"
scancel "${A}_2"
wait_state "${A}_2" CANCELLED 20 || fatal "scancel did not cancel ${A}_2"
log "A: ${A}_2 CANCELLED; scontrol requeue ${A}_2"
scontrol requeue "${A}_2" || fatal "scontrol requeue ${A}_2 failed"
log "A: ${A}_2 now $(state "${A}_2") (Restarts=$(restarts "${A}_2")), report job $(state "$RA")"
check "A: report job still PENDING after cancel+requeue (${A}_3 was running)" [ "$(state "$RA")" = PENDING ]
wait_done 120 "$A" "$RA" || fatal "A did not finish in time"
log "A: all done; events (t from selftest start):"
show_log A
for i in 0 1 2 3; do
  check "A: task $i wrote its file" [ -s "$W/A/result_$i" ]
  check "A: ${A}_$i final state COMPLETED (scontrol)" [ "$(state "${A}_$i")" = COMPLETED ]
done
check "A: ${A}_2 Restarts=1" [ "$(restarts "${A}_2")" = 1 ]
check "A: ${A}_0 Restarts=0" [ "$(restarts "${A}_0")" = 0 ]
check "A: ${A}_2 ran twice (try 0 cancelled, try 1 completed)" \
  grep -q 'term task=2 try=0' "$W/A/task_2.log"
check "A: ${A}_2 second try completed" grep -q 'end task=2 try=1' "$W/A/task_2.log"
mo=$(max_overlap A)
check "A: at most 2 tasks at once, and 2 did run at once (max overlap $mo)" [ "$mo" = 2 ]
check "A: report job COMPLETED" [ "$(state "$RA")" = COMPLETED ]
check "A: report started after the last task end (incl. the rerun)" ge "$(report_time A)" "$(last_end A)"
check "A: report saw all 4 result files" [ "$(report_results A)" = 4 ]
id2=$(raw_id "${A}_2")
c2=$(comp_states "$id2")
log "A: jobcomp.log records for ${A}_2 (JobId=$id2): $c2"
check "A: jobcomp.log has ${A}_2 CANCELLED then COMPLETED" [ "$(echo "$c2" | grep -o 'CANCELLED.*COMPLETED')" != "" ]
if out=$(sacct -j "$A" 2>&1); then log "A: sacct works: $(echo "$out" | head -3 | tr '\n' ';')"
else log "A: sacct does not work here (expected, no accounting storage): $out"; fi
log "A: final states (scontrol):"
for j in "${A}_0" "${A}_1" "${A}_2" "${A}_3" "$RA"; do
  scontrol show job "$j" | grep -oE '^JobId=[0-9]+|ArrayTaskId=[0-9]+|JobState=[A-Z_]+|Restarts=[0-9]+|StartTime=[^ ]+|EndTime=[^ ]+' \
    | tr '\n' ' ' | sed 's/^/      /'; echo
done

# ------------------------------------------------------------------ B
log "B: scontrol requeue of the RUNNING last unfinished task"
B=$(submit_array B 0-1 SLEEP_0=1 SLEEP_TASK=1:6 SLEEP_1=2)
RB=$(submit_report B "$B")
log "B: array job $B (task 0: 1 s, task 1: 6 s, rerun 2 s), report job $RB"
wait_state "${B}_0" COMPLETED 60 || fatal "B_0 never completed"
wait_state "${B}_1" RUNNING 20 || fatal "B_1 not running"
log "B: ${B}_0 COMPLETED, ${B}_1 RUNNING; scontrol requeue ${B}_1"
scontrol requeue "${B}_1" || fatal "scontrol requeue ${B}_1 failed"
sleep 1
log "B: ${B}_1 now $(state "${B}_1") (Restarts=$(restarts "${B}_1")), report $(state "$RB")"
check "B: report job still PENDING after requeue of the last task" [ "$(state "$RB")" = PENDING ]
wait_done 90 "$B" "$RB" || fatal "B did not finish in time"
show_log B
check "B: ${B}_1 got SIGTERM on try 0" grep -q 'term task=1 try=0' "$W/B/task_1.log"
check "B: ${B}_1 completed on try 1" grep -q 'end task=1 try=1' "$W/B/task_1.log"
check "B: ${B}_1 COMPLETED, Restarts=1" [ "$(state "${B}_1") $(restarts "${B}_1")" = "COMPLETED 1" ]
check "B: report started after the rerun ended" ge "$(report_time B)" "$(last_end B)"

# ------------------------------------------------------------------ C
log "C: real preemption (partition 'urgent', PreemptMode=REQUEUE) of the running last task"
C=$(submit_array C 0-1 SLEEP_0=1 SLEEP_TASK=1:8 SLEEP_1=2)
RC=$(submit_report C "$C")
log "C: array job $C (task 0: 1 s, task 1: 8 s, rerun 2 s), report job $RC"
wait_state "${C}_0" COMPLETED 60 || fatal "C_0 never completed"
wait_state "${C}_1" RUNNING 20 || fatal "C_1 not running"
U=$(sbatch --parsable -p urgent -c2 -J urgent --chdir="$W" -o "$W/C/urgent.out" \
      --wrap 'echo "urgent t=$(date +%s.%N)"; sleep 1')
log "C: ${C}_1 RUNNING; submitted 2-CPU job $U to partition urgent"
wait_state "$U" COMPLETED 30 || fatal "urgent job did not run"
log "C: urgent job done; ${C}_1 $(state "${C}_1") (Restarts=$(restarts "${C}_1")), report $(state "$RC")"
check "C: report job still PENDING while the preempted task waits" [ "$(state "$RC")" = PENDING ]
wait_done 90 "$C" "$RC" || fatal "C did not finish in time"
show_log C
check "C: ${C}_1 got SIGTERM on try 0 (preempted)" grep -q 'term task=1 try=0' "$W/C/task_1.log"
check "C: ${C}_1 COMPLETED, Restarts=1" [ "$(state "${C}_1") $(restarts "${C}_1")" = "COMPLETED 1" ]
check "C: slurmctld logged the preemption" grep -q "preempted JobId=${C}_1" "$DIR/log/slurmctld.log"
check "C: report started after the rerun ended" ge "$(report_time C)" "$(last_end C)"

# ------------------------------------------------------------------ D (observed only)
log "D: scancel of the last unfinished task, then scontrol requeue (observed, not asserted)"
D=$(submit_array D 0-1 SLEEP_0=1 SLEEP_TASK=1:6 SLEEP_1=2)
RD=$(submit_report D "$D")
wait_state "${D}_0" COMPLETED 60 || fatal "D_0 never completed"
wait_state "${D}_1" RUNNING 20 || fatal "D_1 not running"
scancel "${D}_1"
wait_state "${D}_1" CANCELLED 20 || fatal "scancel did not cancel ${D}_1"
scontrol requeue "${D}_1" || fatal "scontrol requeue ${D}_1 failed"
wait_done 90 "$D" "$RD" || fatal "D did not finish in time"
show_log D
if ge "$(report_time D)" "$(last_end D)"; then
  log "D: observed: the report job waited for the rerun"
else
  log "D: observed: the report job ran BEFORE the rerun (afterany was satisfied by the CANCELLED task)"
fi

log "jobcomp.log: $(wc -l <"$DIR/log/jobcomp.log") records"
if [ $FAILS -gt 0 ]; then log "$FAILS check(s) failed"; exit 1; fi
log "all checks passed"
