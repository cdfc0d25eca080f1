#!/usr/bin/env bash
# End-to-end test of runner/slurm on a real one-node Slurm cluster started on localhost (as root,
# without systemd), thrown away at exit:
#   runner/slurm/test.sh                     the test: a tiny matrix (8 cells) in 3 shards through
#                                            submit.sh --wait, merged, against the same matrix run
#                                            unsharded; every cell exactly once, every status alike
#   runner/slurm/test.sh --with-cluster CMD  run CMD (e.g. `bash`) against a throwaway cluster
#                                            (SLURM_CONF is set), for debugging
# Needs the Debian packages slurmctld slurmd slurm-client munge, and the runner built
# (target/release/runner, or $WASMATRIX_RUNNER). Everything it writes is under a temp dir in /tmp
# (short: Unix socket paths are limited to 108 bytes), removed at exit ($WASMATRIX_SLURM_KEEP=1
# keeps it).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
RUNNER=${WASMATRIX_RUNNER:-$REPO/target/release/runner}
SHARDS=3

say() { printf 'slurm-test: %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }

# --- the cluster ------------------------------------------------------------------------------

check_tools() {
  local tool missing=()
  for tool in slurmctld slurmd sbatch sinfo scontrol scancel munged python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    say "missing: ${missing[*]}; install them with"
    say "  apt-get install --no-install-recommends slurmctld slurmd slurm-client munge"
    exit 2
  fi
}

# A throwaway cluster's files, all under $T.
make_cluster() {
  T=$(mktemp -d /tmp/wmslurm.XXXX)
  chmod 755 "$T" # munged refuses a socket directory others cannot search
  mkdir -p "$T/state" "$T/spool" "$T/munge"
  chmod 755 "$T/munge"
  dd if=/dev/urandom of="$T/munge/munge.key" bs=1 count=1024 status=none
  chmod 400 "$T/munge/munge.key"
  # Ports of this cluster's own (so that a system Slurm, or another test, does not answer).
  local port=$((20000 + ($$ % 10000) * 2))
  # At least the 2 CPUs a shard asks for (config_overrides lets the node claim them).
  local mem cpus
  cpus=$(nproc)
  ((cpus >= 2)) || cpus=2
  mem=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
  cat >"$T/slurm.conf" <<EOF
ClusterName=wmtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: processes tracked through /proc, tasks not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
# Cores as the unit, so that array tasks share the node (select/linear would run one at a time).
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
# Finished jobs leave at once and jobs start at once: sbatch --wait returns promptly.
MinJobAge=5
SchedulerParameters=batch_sched_delay=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$T/slurm.conf
}

alive() { [ -s "$1" ] && [ -d "/proc/$(cat "$1")" ]; }

cluster_logs() {
  local log
  for log in "$T"/munge/munged.log "$T"/slurmctld.log "$T"/slurmd.log; do
    [ -s "$log" ] && { say "--- tail of $log"; tail -n 15 "$log" >&2; }
  done
  return 0
}

start_cluster() {
  munged --force --origin=127.0.0.1 --key-file="$T/munge/munge.key" --socket="$T/munge/munge.socket" \
    --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" ||
    { cluster_logs; die "munged did not start"; }
  slurmctld -f "$SLURM_CONF" || { cluster_logs; die "slurmctld did not start"; }
  slurmd -f "$SLURM_CONF" -N localhost || { cluster_logs; die "slurmd did not start"; }
  local i state=""
  for ((i = 0; i < 150; i++)); do
    state=$(sinfo -h -n localhost -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
    # (The daemons write their pid files a moment after they fork: give them a second.)
    if ((i > 5)) && ! { alive "$T/slurmctld.pid" && alive "$T/slurmd.pid"; }; then
      cluster_logs
      die "a Slurm daemon died while starting"
    fi
  done
  [ "$state" = idle ] || { cluster_logs; die "the node is not idle after 30 s (state: ${state:-none})"; }
}

# Waits up to $2 tenths of a second for the daemon of pid file $1 to end, then terminates it.
stop_pid() {
  alive "$1" || return 0
  local pid i
  pid=$(cat "$1")
  for ((i = 0; i < $2; i++)); do
    [ -d "/proc/$pid" ] || return 0
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 30; i++)); do
    [ -d "/proc/$pid" ] || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

stop_cluster() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "${T:-}" ] && [ -d "$T" ]; then
    ((status == 0)) || cluster_logs
    if alive "$T/slurmctld.pid"; then
      # Jobs still there (a failed test) end first, so that none of their processes outlives it.
      scancel --user="$(id -un)" 2>/dev/null || true
      local i
      for ((i = 0; i < 50; i++)); do
        [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
        sleep 0.2
      done
      scontrol shutdown >/dev/null 2>&1 || true
    fi
    stop_pid "$T/slurmctld.pid" 30
    stop_pid "$T/slurmd.pid" 30
    stop_pid "$T/munge/munged.pid" 0
    if [ "${WASMATRIX_SLURM_KEEP:-}" = 1 ]; then
      say "kept $T"
    else
      rm -rf "$T"
    fi
  fi
  exit "$status"
}

up() {
  check_tools
  make_cluster
  trap stop_cluster EXIT
  trap 'exit 130' INT TERM
  local start=$SECONDS
  start_cluster
  say "one-node cluster up in $T ($((SECONDS - start)) s; SLURM_CONF=$SLURM_CONF)"
}

# --- the test ---------------------------------------------------------------------------------

# The sorted values of a results file's column, one a line.
column() {
  python3 - "$1" "$2" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="") as f:
    for row in sorted(r[sys.argv[2]] for r in csv.DictReader(f)):
        print(row)
EOF
}

# cell,status lines of a results file, sorted.
cell_status() {
  python3 - "$1" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="") as f:
    for row in sorted(f"{r['cell']} {r['status']}" for r in csv.DictReader(f)):
        print(row)
EOF
}

main_test() {
  [ -x "$RUNNER" ] || die "$RUNNER not found: build it (cargo build --release --locked -p wasmatrix-runner)"
  local t0=$SECONDS
  up
  local matrix=$T/tiny.toml out=$T/out
  cat >"$matrix" <<'EOF'
[axes]
compiler = ["singlepass", "cranelift"]
engine = ["jit", "artifact"]
environment = ["bare"]
transport = ["copy", "shared"]
codec = ["raw"]
profile = ["release"]

[measure]
warmup = 20
samples = 5
batch = 10
floor_batch = 10
timeout_s = 120
EOF
  "$RUNNER" list "$matrix" 2>/dev/null | awk '{ print $1 }' | sort >"$T/expected.txt"
  say "tiny matrix: $(wc -l <"$T/expected.txt") cells; submitting it in $SHARDS shards (submit.sh --wait)"

  local start=$SECONDS
  WASMATRIX_RUNNER=$RUNNER runner/slurm/submit.sh --wait "$matrix" "$out" "$SHARDS" ||
    die "submit.sh --wait exited $? (job logs: $out/slurm-*.out)"
  say "sharded run and merge: $((SECONDS - start)) s"
  [ -s "$out/merged.csv" ] || die "no $out/merged.csv"

  start=$SECONDS
  local rc=0
  "$RUNNER" run "$matrix" --out "$T/whole.csv" >"$T/whole.log" 2>&1 || rc=$?
  ((rc <= 1)) || { tail -n 20 "$T/whole.log" >&2; die "the unsharded run exited $rc"; }
  say "unsharded run: $((SECONDS - start)) s"

  column "$out/merged.csv" cell >"$T/merged-cells.txt"
  column "$T/whole.csv" cell >"$T/whole-cells.txt"
  local dups
  dups=$(uniq -d "$T/merged-cells.txt")
  [ -z "$dups" ] || die "cells recorded more than once in merged.csv: $dups"
  diff -u "$T/whole-cells.txt" "$T/merged-cells.txt" >&2 || die "merged.csv's cells differ from the unsharded run's"
  diff -u "$T/expected.txt" "$T/merged-cells.txt" >&2 || die "merged.csv's cells differ from \`runner list\`"
  diff -u <(cell_status "$T/whole.csv") <(cell_status "$out/merged.csv") >&2 ||
    die "statuses differ between the unsharded run and the Slurm run"
  local bad
  bad=$(cell_status "$out/merged.csv" | grep -Ev ' (ok|unsupported)$' || true)
  [ -z "$bad" ] || die "cells not ok: $bad"
  local i
  for ((i = 1; i <= SHARDS; i++)); do
    [ -s "$out/shard-$i-of-$SHARDS.samples.csv.gz" ] || die "no samples sidecar of shard $i"
  done
  [ -s "$out/merged.samples.csv.gz" ] || die "no merged samples sidecar"
  say "PASS: $(wc -l <"$T/merged-cells.txt") cells, each once, in $SHARDS shards, as unsharded ($((SECONDS - t0)) s in all)"
}

case "${1:-}" in
  "") main_test ;;
  --with-cluster)
    shift
    (($#)) || die "--with-cluster needs a command"
    up
    "$@" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
