#!/usr/bin/env bash
# A private, single-node Slurm cluster for tests (Debian's slurm-wlm + munge).
#
#   cluster.sh install          apt-get install slurmctld slurmd slurm-client munge (idempotent)
#   cluster.sh start DIR        write DIR/slurm.conf, start munged, slurmctld, slurmd; wait for the node
#                               to be idle; print on stdout the lines to eval: eval "$(cluster.sh start DIR)"
#   cluster.sh stop DIR         cancel this cluster's jobs, then stop the daemons by their recorded PIDs
#   cluster.sh status DIR       daemons, sinfo, squeue; exit 0 only when all three daemons run
#
# Everything (config, munge key and socket, state, spool, logs, PIDs) lives under DIR; nothing is
# written to /etc. Progress and errors go to stderr; on failure `start` prints one line
#   cluster.sh: cannot start Slurm: <reason>
# on stderr, stops whatever it had started and exits 1 (2 for usage errors), so that a CI script can
# say "Slurm could not be started here: <reason>" and skip.
#
# Environment (optional):
#   SLURM_START_TIMEOUT  seconds to wait for the node to become idle (default 30)
#   SLURM_MIN_JOB_AGE    MinJobAge: seconds a finished job stays visible to scontrol/squeue, and
#                        can still be requeued with 'scontrol requeue' (default 60)
#   SLURM_CTLD_PORT      slurmctld port (default: first free port from 6817 on)
#   SLURM_SLURMD_PORT    slurmd port (default: first free port after the slurmctld port)
set -euo pipefail

PROG=cluster.sh
MARK_VAR=REPRO_SLURM_CLUSTER_DIR   # set in the daemons' environment; inherited by their forks

log()  { echo "$PROG: $*" >&2; }
die()  { echo "$PROG: $*" >&2; exit 1; }
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

need_dir() {
  [ $# -ge 1 ] && [ -n "$1" ] || usage
  DIR=$(realpath -m -- "$1")
  CONF=$DIR/slurm.conf
  PIDS=$DIR/pids
}

alive() { # pid -> 0 when the process exists (and is not a zombie)
  local pid=$1 st
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$st" != Z ]
}

since() { awk -v t0="$1" -v t="$(date +%s.%N)" 'BEGIN { printf "%.1f", t - t0 }'; }

# pid_of NAME: the recorded PID of daemon NAME, but only while that PID is still our daemon (same
# command name, our marker in its environment), so that a recycled PID is never signalled.
pid_of() {
  local pid; pid=$(cat "$PIDS/$1.pid" 2>/dev/null) || return 0
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || return 0
  { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qxF "$MARK_VAR=$DIR" || return 0
  echo "$pid"
}
# raw_pid NAME: the recorded PID as is (during start, right after launching it ourselves)
raw_pid() { cat "$PIDS/$1.pid" 2>/dev/null || true; }

# ------------------------------------------------------------------ install
cmd_install() {
  local missing=() b
  for b in slurmctld slurmd sbatch squeue scontrol sinfo scancel munged; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "slurm-wlm $(slurmctld -V | awk '{print $2}') and munge already installed"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "cannot install: not root (missing: ${missing[*]})"
  command -v apt-get >/dev/null 2>&1 || die "cannot install: no apt-get (missing: ${missing[*]})"
  log "installing slurmctld slurmd slurm-client munge (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packages' maintainer scripts from starting the system-wide munge/slurm services
  # (they would use /etc/munge and /etc/slurm). Debian's mechanism is /usr/sbin/policy-rc.d;
  # create a temporary one only when none exists, and remove it afterwards.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, created by scripts/slurm/cluster.sh install\nexit 101\n' >"$policy"
    chmod 755 "$policy"; made_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local apt=(apt-get -q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
  if ! apt-cache policy slurmctld 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    "${apt[@]}" update >/dev/null || die "cannot install: apt-get update failed"
  fi
  local out
  if ! out=$("${apt[@]}" install --no-install-recommends slurmctld slurmd slurm-client munge 2>&1); then
    echo "$out" | tail -20 >&2
    die "cannot install: apt-get install failed"
  fi
  [ $made_policy -eq 1 ] && { rm -f "$policy"; trap - EXIT; }
  log "installed slurm-wlm $(slurmctld -V | awk '{print $2}'), $(munged --version | awk '{print $1}')"
}

# ------------------------------------------------------------------ start
port_free() { ! ss -Hltn "( sport = :$1 )" 2>/dev/null | grep -q .; }

free_port_from() {
  local p=$1
  while [ "$p" -lt $(( $1 + 200 )) ]; do
    port_free "$p" && { echo "$p"; return 0; }
    p=$((p + 1))
  done
  return 1
}

# pick_ports ATTEMPT: write free ports into the conf (first try from 6817; later tries from a
# random even offset, so that two clusters started at the same moment stop colliding).
pick_ports() {
  local base=6817 c d
  [ "$1" -gt 1 ] && base=$((6817 + 2 * (RANDOM % 500)))
  c=$(free_port_from "$base") || fail_start "no free TCP port from $base"
  d=$(free_port_from $((c + 1))) || fail_start "no free TCP port from $((c + 1))"
  sed -i -e "s/^SlurmctldPort=.*/SlurmctldPort=$c/" -e "s/^SlurmdPort=.*/SlurmdPort=$d/" "$CONF"
}

bind_clash() { grep -qs 'Address already in use' "$DIR/log/$1.stderr"; }

write_conf() {
  local host node_line ctld_port slurmd_port min_age
  host=$(hostname -s)
  # slurmd -C prints the node as slurmd will detect it (CPUs, sockets, cores, RealMemory); using it
  # verbatim keeps slurmctld from draining the node for a hardware mismatch.
  node_line=$(slurmd -C 2>/dev/null | grep '^NodeName=') || fail_start "'slurmd -C' failed"
  node_line=$(echo "$node_line" | sed "s/^NodeName=[^ ]*/NodeName=$host NodeAddr=127.0.0.1/")
  ctld_port=${SLURM_CTLD_PORT:-$(free_port_from 6817)} || fail_start "no free TCP port from 6817"
  slurmd_port=${SLURM_SLURMD_PORT:-$(free_port_from $((ctld_port + 1)))} || fail_start "no free TCP port"
  local ports_note="auto (start picks free ones again when these are taken)"
  [ -n "${SLURM_CTLD_PORT:-}${SLURM_SLURMD_PORT:-}" ] && ports_note="fixed (SLURM_CTLD_PORT/SLURM_SLURMD_PORT)"
  min_age=${SLURM_MIN_JOB_AGE:-60}
  : >"$DIR/plugstack.conf"
  cat >"$CONF" <<EOF
# Generated by scripts/slurm/cluster.sh for a private single-node test cluster.
# Edit and restart (cluster.sh stop DIR; cluster.sh start DIR) to change it; start keeps this file.
ClusterName=repro
SlurmctldHost=$host(127.0.0.1)
# Ports: $ports_note
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# socket: our own munged; cred_expire: a requeued job may start again only after this many
# seconds (default 120, which would make every requeue test wait two minutes).
AuthInfo=socket=$DIR/munge/munge.socket.2,cred_expire=5
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$DIR/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Look at pending jobs every 2 s rather than every 60 s / 30 s, so that a requeued job starts as
# soon as its BeginTime (see cred_expire) has passed.
SchedulerParameters=sched_interval=2,bf_interval=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# No accounting database, so sacct has nothing to read; every finished job (and every ended
# attempt of a requeued job) is appended here instead, one line each, with its final JobState.
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.log
JobRequeue=1
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
ReturnToService=2
SlurmdTimeout=30
SlurmctldTimeout=30
MinJobAge=$min_age
KillWait=5
InactiveLimit=0
Waittime=0
$node_line State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP PriorityTier=1
# Real preemption for tests: a job submitted to 'urgent' (sbatch -p urgent ...) that needs CPUs
# held by 'main' jobs makes slurmctld requeue them (SIGTERM, KillWait, SIGKILL, back to PENDING
# with SLURM_RESTART_COUNT+1), as PreemptMode=REQUEUE does on a production cluster. Unused,
# 'urgent' changes nothing.
PartitionName=urgent Nodes=ALL MaxTime=INFINITE State=UP PriorityTier=2 PreemptMode=OFF
EOF
}

# Print the most telling line of a daemon's logs, for the one-line reason: the last "fatal" line
# (with the error line just before it, which usually names the cause), else the last "error" line
# that is not known start-up noise, else the last line.
last_error() {
  local f line=""
  local noise='pmix|MailProg|state file|NOTE: Trying backup'
  for f in "$@"; do
    [ -s "$f" ] || continue
    line=$(awk -v noise="$noise" 'tolower($0) ~ /error/ && $0 !~ noise { err = $0 }
                                   tolower($0) ~ /fatal/ { fat = $0; prev = err }
                                   END { if (fat != "") print fat (prev != "" ? " (" prev ")" : "") }' "$f")
    [ -n "$line" ] && break
  done
  if [ -z "$line" ]; then
    for f in "$@"; do
      [ -s "$f" ] || continue
      line=$(grep -aiE 'error' "$f" | grep -viE "$noise" | tail -1) || true
      [ -n "$line" ] && break
    done
  fi
  [ -n "$line" ] || { for f in "$@"; do [ -s "$f" ] && line=$(tail -1 "$f"); done; }
  echo "$line" | sed -E 's/\[[0-9T:.-]+\] *//g; s/(slurmctld|slurmd|munged): //g' | cut -c1-300
}

START_OK=0
start_cleanup() {
  [ $START_OK -eq 1 ] && return 0
  stop_daemons quiet || true
}

fail_start() {
  echo "$PROG: cannot start Slurm: $*" >&2
  exit 1
}

# launch NAME LOGBASE CMD...: start CMD in the foreground of its own session, in the background
# of this script; record its PID.
launch() {
  local name=$1; shift
  local out=$DIR/log/$name.stderr
  env "$MARK_VAR=$DIR" SLURM_CONF="$CONF" setsid "$@" </dev/null >"$out" 2>&1 &
  echo "$!" >"$PIDS/$name.pid"
}

check_alive() { # name logfiles...
  local name=$1; shift
  alive "$(pid_of "$name")" && return 0
  fail_start "$name exited at once: $(last_error "$DIR/log/$name.stderr" "$@")"
}

cmd_start() {
  need_dir "$@"
  local b
  for b in slurmctld slurmd sinfo munged; do
    command -v "$b" >/dev/null 2>&1 || fail_start "'$b' not installed (run: $0 install)"
  done
  [ "$(id -u)" -eq 0 ] || fail_start "not root (slurmd must run as root to start jobs)"
  command -v setsid >/dev/null 2>&1 || fail_start "setsid not found (util-linux)"

  mkdir -p "$DIR"/{munge,state,spool,log,run,pids}
  chmod 755 "$DIR/munge"   # munged wants the socket's folder searchable by all; the key stays 0400

  # Already running? (idempotent start)
  if alive "$(pid_of munged)" && alive "$(pid_of slurmctld)" && alive "$(pid_of slurmd)"; then
    log "already running in $DIR"
    print_env
    return 0
  fi
  stop_daemons quiet || true   # half-started leftovers of an earlier start
  trap start_cleanup EXIT

  local t0; t0=$(date +%s.%N)
  [ -f "$CONF" ] || write_conf
  # --- munge: own key, socket, log, pid and seed files under DIR/munge
  local key=$DIR/munge/munge.key
  if [ ! -s "$key" ]; then
    (umask 077; dd if=/dev/urandom of="$key" bs=1024 count=1 status=none) \
      || fail_start "cannot write munge key $key"
  fi
  chmod 400 "$key"
  rm -f "$DIR/munge/munge.socket.2" "$DIR/munge/munge.socket.2.lock"
  launch munged munged -F --force \
    --socket="$DIR/munge/munge.socket.2" --key-file="$key" \
    --log-file="$DIR/munge/munged.log" --pid-file="$DIR/munge/munged.pid" \
    --seed-file="$DIR/munge/munged.seed"
  for _ in $(seq 1 50); do
    [ -S "$DIR/munge/munge.socket.2" ] && break
    alive "$(raw_pid munged)" || break
    sleep 0.1
  done
  check_alive munged "$DIR/munge/munged.log"
  [ -S "$DIR/munge/munge.socket.2" ] || fail_start "munged did not create its socket within 5 s"
  if command -v munge >/dev/null 2>&1; then
    munge -n -S "$DIR/munge/munge.socket.2" | unmunge -S "$DIR/munge/munge.socket.2" >/dev/null 2>&1 \
      || fail_start "munge round trip failed: $(last_error "$DIR/munge/munged.log")"
  fi

  # --- slurmctld, then slurmd. With automatic ports, a port taken between our check and the
  # daemon's bind (another cluster starting at the same moment) makes us pick others and retry.
  local auto=0 attempt ctld_port slurmd_port timeout=${SLURM_START_TIMEOUT:-30} state="" deadline
  grep -q '^# Ports: auto' "$CONF" && auto=1
  for attempt in 1 2 3 4 5; do
    ctld_port=$(sed -n 's/^SlurmctldPort=//p' "$CONF")
    slurmd_port=$(sed -n 's/^SlurmdPort=//p' "$CONF")
    if ! port_free "$ctld_port" || ! port_free "$slurmd_port"; then
      [ $auto -eq 1 ] || fail_start "TCP port $ctld_port or $slurmd_port (SlurmctldPort/SlurmdPort in $CONF) is in use"
      pick_ports $((attempt + 1))
      continue
    fi
    # -D: stay in the foreground so that the recorded PID is the daemon's; -i: ignore unreadable
    # state files rather than refusing to start
    launch slurmctld slurmctld -D -i
    for _ in $(seq 1 100); do
      alive "$(raw_pid slurmctld)" || break
      SLURM_CONF=$CONF scontrol ping 2>/dev/null | grep -q 'is UP' && break
      sleep 0.2
    done
    if ! alive "$(raw_pid slurmctld)" && [ $auto -eq 1 ] && bind_clash slurmctld; then
      log "port $ctld_port taken meanwhile; picking others"
      pick_ports $((attempt + 1)); continue
    fi
    check_alive slurmctld "$DIR/log/slurmctld.log"
    SLURM_CONF=$CONF scontrol ping 2>/dev/null | grep -q 'is UP' \
      || fail_start "slurmctld does not answer 'scontrol ping' after 20 s: $(last_error "$DIR/log/slurmctld.log")"

    launch slurmd slurmd -D
    deadline=$((SECONDS + timeout))
    while [ $SECONDS -lt $deadline ]; do
      alive "$(raw_pid slurmd)" || break
      alive "$(raw_pid slurmctld)" || break
      state=$(SLURM_CONF=$CONF sinfo -h -N -o '%t' 2>/dev/null | head -1) || true
      [ "$state" = idle ] && break
      sleep 0.3
    done
    if ! alive "$(raw_pid slurmd)" && [ $auto -eq 1 ] && bind_clash slurmd; then
      log "port $slurmd_port taken meanwhile; picking others"
      stop_pid slurmctld "$(pid_of slurmctld)" || true
      pick_ports $((attempt + 1)); continue
    fi
    break
  done
  check_alive slurmctld "$DIR/log/slurmctld.log"
  check_alive slurmd "$DIR/log/slurmd.log"
  if [ "$state" != idle ]; then
    local reason; reason=$(SLURM_CONF=$CONF sinfo -h -R -o '%E' 2>/dev/null | head -1) || true
    fail_start "node not idle after ${timeout} s (state '${state:-unknown}'${reason:+, reason: $reason}): $(last_error "$DIR/log/slurmd.log" "$DIR/log/slurmctld.log")"
  fi
  START_OK=1
  trap - EXIT
  print_env > "$DIR/env"
  log "started in $(since "$t0") s: munged $(pid_of munged), slurmctld $(pid_of slurmctld) (port $ctld_port), slurmd $(pid_of slurmd) (port $slurmd_port); node $(hostname -s) idle"
  log "logs: $DIR/log/  final job states: $DIR/log/jobcomp.log"
  print_env
}

print_env() {
  echo "export SLURM_CONF=$CONF"
}

# ------------------------------------------------------------------ stop
stop_pid() { # name pid: TERM, wait up to 10 s, then KILL
  local name=$1 pid=$2
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do alive "$pid" || return 0; sleep 0.2; done
  [ "${QUIET:-}" ] || log "$name ($pid) still alive after 10 s; KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 25); do alive "$pid" || return 0; sleep 0.2; done
  log "$name ($pid) survived KILL"; return 1
}

# Processes of this cluster that outlived their daemons (only when jobs could not be cancelled,
# e.g. slurmctld had died): job processes (their environment has SLURM_CONF=DIR/slurm.conf and a
# SLURM_JOB_ID), slurmstepd (keeps DIR/log/slurmd.log open; its environment is empty), and
# helpers forked by our daemons (they inherit MARK_VAR=DIR). Never this script or its ancestors.
leftover_pids() {
  local p pid env mine=" " a=$$
  while [ -n "$a" ] && [ "$a" -gt 1 ]; do
    mine="$mine$a "
    a=$(awk '/^PPid:/ {print $2}' "/proc/$a/status" 2>/dev/null) || break
  done
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    case "$mine" in *" $pid "*) continue ;; esac
    env=$( { tr '\0' '\n' <"$p/environ"; } 2>/dev/null ) || env=""
    if grep -qxF "$MARK_VAR=$DIR" <<<"$env" ||
       { grep -qxF "SLURM_CONF=$CONF" <<<"$env" && grep -q '^SLURM_JOB_ID=' <<<"$env"; } ||
       { readlink "$p"/fd/* 2>/dev/null | grep -qxF "$DIR/log/slurmd.log"; }; then
      echo "$pid"
    fi
  done
}

stop_batch() { # pids...: TERM all, wait up to 5 s, KILL the rest
  local pid left
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 25); do
    left=""; for pid in "$@"; do alive "$pid" && left="$left $pid"; done
    [ -z "$left" ] && return 0
    sleep 0.2
  done
  for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
  sleep 0.5
  left=""; for pid in "$@"; do alive "$pid" && left="$left $pid"; done
  [ -z "$left" ] || { log "still alive after KILL:$left"; return 1; }
}

stop_daemons() {
  local QUIET=${1:-} rc=0 name pid
  # Cancel this cluster's jobs first, so that their slurmstepd and job processes end cleanly
  # (slurmstepd deliberately outlives a stopped slurmd).
  if [ -f "$CONF" ] && alive "$(pid_of slurmctld)" && alive "$(pid_of slurmd)"; then
    local jobs; jobs=$(SLURM_CONF=$CONF squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ') || true
    if [ -n "${jobs// /}" ]; then
      [ "$QUIET" ] || log "cancelling jobs: $jobs"
      # shellcheck disable=SC2086
      SLURM_CONF=$CONF scancel $jobs 2>/dev/null || true
      for _ in $(seq 1 75); do
        [ -z "$(SLURM_CONF=$CONF squeue -h -o '%A' 2>/dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
  for name in slurmd slurmctld munged; do
    [ -f "$PIDS/$name.pid" ] || continue
    pid=$(pid_of "$name")
    if alive "$pid"; then
      [ "$QUIET" ] || log "stopping $name ($pid)"
      stop_pid "$name" "$pid" || rc=1
    fi
    rm -f "$PIDS/$name.pid"
  done
  # Whatever of this cluster is still there (see leftover_pids; never matched by name).
  local left; left=$(leftover_pids | tr '\n' ' ')
  if [ -n "${left// /}" ]; then
    [ "$QUIET" ] || log "stopping leftover processes of this cluster: $left"
    # shellcheck disable=SC2086
    stop_batch $left || rc=1
  fi
  return $rc
}

cmd_stop() {
  need_dir "$@"
  [ -d "$PIDS" ] || { log "nothing recorded in $DIR"; return 0; }
  local t0; t0=$(date +%s.%N)
  stop_daemons
  log "stopped in $(since "$t0") s"
}

# ------------------------------------------------------------------ status
cmd_status() {
  need_dir "$@"
  local rc=0 name pid
  for name in munged slurmctld slurmd; do
    pid=$(pid_of "$name")
    if alive "$pid"; then echo "$name: running (pid $pid)"; else echo "$name: not running"; rc=1; fi
  done
  if [ -f "$CONF" ] && alive "$(pid_of slurmctld)"; then
    echo "SLURM_CONF=$CONF"
    SLURM_CONF=$CONF sinfo -N -o '%N %t %c %m %P' 2>&1 || true
    SLURM_CONF=$CONF squeue -o '%i %j %T %M %R' 2>&1 || true
  fi
  return $rc
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start)   shift; cmd_start "$@" ;;
  stop)    shift; cmd_stop "$@" ;;
  status)  shift; cmd_status "$@" ;;
  *) usage ;;
esac
