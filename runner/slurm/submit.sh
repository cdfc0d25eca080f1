#!/usr/bin/env bash
# Runs a wasmatrix matrix on a Slurm cluster: N shards as a job array (runner/slurm/matrix.sbatch),
# then a job that merges them (runner/slurm/merge.sbatch) once every task has ended, however.
#   runner/slurm/submit.sh [--wait] MATRIX OUTDIR N [runner run args...]
# e.g. runner/slurm/submit.sh --wait matrices/full.toml results/full-slurm 8
# Results: OUTDIR/shard-I-of-N.csv (+ .samples.csv.gz, .summary.txt) per shard, OUTDIR/merged.csv
# (+ merged.samples.csv.gz) in all; Slurm's logs: OUTDIR/slurm-ARRAYID_I.out, slurm-merge-ID.out.
#   --wait   block until the merge job ends; exit with its code (0 every cell recorded, 1 some
#            missing). Ctrl-C stops the waiting, not the jobs (scancel them).
# OUTDIR must be on a file system the compute nodes share; an OUTDIR holding shard files of the same
# run and N goes on with them (the runner resumes); one holding merged.csv is refused. The runner
# arguments (--filter, --processes, --measure, --guests...) go to every shard (relative paths are
# relative to the repository); not --out or --shard. The runner is built first if missing
# (target/release/runner, or $WASMATRIX_RUNNER, which is never built); the jobs never build it.
# The runtimes' workers are built by the jobs' runners as their cells need them (one at a time,
# under the runner's build lock; the first build of Wasmer's compiles Wasmer and LLVM's back-end,
# many minutes, with LLVM 22 from LLVM_SYS_221_PREFIX or /usr/lib/llvm-22).
# Partition, account, time limit and such: sbatch's own variables (SBATCH_PARTITION,
# SBATCH_ACCOUNT, SBATCH_TIMELIMIT, SBATCH_EXCLUSIVE...), which both jobs take.
set -euo pipefail

say() { printf 'submit: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

wait=""
while (($#)); do
  case $1 in
    --wait) wait=1; shift ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) die "unknown option $1 (options go before MATRIX; see --help)" ;;
    *) break ;;
  esac
done
(($# >= 3)) || { say "expected MATRIX OUTDIR N, got $# argument(s)"; usage; }
matrix=$1 outdir=$2 shards=$3
shift 3
run_args=("$@")

# The run's arguments: what submit.sh sets itself is refused; --filter also goes to the merge.
filter=() next_is_filter=""
for arg in "${run_args[@]}"; do
  if [ -n "$next_is_filter" ]; then filter=(--filter "$arg"); next_is_filter=""; continue; fi
  case $arg in
    --wait) die "--wait goes before MATRIX" ;;
    --out | --out=* | --shard | --shard=*) die "$arg: submit.sh sets --out and --shard of every shard itself" ;;
    --filter) next_is_filter=1 ;;
    --filter=*) filter=(--filter "${arg#--filter=}") ;;
  esac
done
[ -z "$next_is_filter" ] || die "--filter needs a value"

[ -n "$matrix" ] || die "MATRIX is empty"
[ -e "$matrix" ] || die "MATRIX $matrix: no such file"
{ [ -f "$matrix" ] && [ -r "$matrix" ]; } || die "MATRIX $matrix: not a readable file"
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "N (the number of shards) must be a whole number from 1, not '$shards'"
[ -n "$outdir" ] || die "OUTDIR is empty"
[ ! -e "$outdir" ] || [ -d "$outdir" ] || die "OUTDIR $outdir exists and is not a directory"
# Absolute paths: the jobs run in the repository.
matrix=$(realpath "$matrix")
outdir=$(realpath -m "$outdir")
for f in "$outdir/merged.csv" "$outdir/merged.samples.csv.gz"; do
  [ ! -e "$f" ] || die "$f exists (merge never overwrites): choose another OUTDIR, or move it away"
done
command -v sbatch >/dev/null || die "sbatch not found: run this where Slurm's client commands are (a login node)"

repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${WASMATRIX_RUNNER:-}" ]; then
  runner=$(realpath -m "$WASMATRIX_RUNNER")
  [ -x "$runner" ] || die "WASMATRIX_RUNNER=$WASMATRIX_RUNNER is not an executable"
  cd "$repo"
else
  cd "$repo"
  runner=$repo/target/release/runner
  if [ ! -x "$runner" ]; then
    say "building the runner (once)"
    runner/wasmatrix.sh setup
    cargo build --release --locked -p wasmatrix-runner
  fi
fi

# The matrix, as the runner reads it: a bad one fails here, not in N tasks.
if ! listed=$("$runner" list "$matrix" "${filter[@]}" 2>&1 >/dev/null); then
  die "$matrix: $listed"
fi
cells=$("$runner" list "$matrix" "${filter[@]}" 2>/dev/null | wc -l)
((shards <= cells)) || die "N=$shards shards of $cells cells: some would be empty, use at most $cells"
if compgen -G "$outdir/shard-*-of-$shards.csv" >/dev/null; then
  say "$outdir holds shard files of $shards shards: the tasks go on with them (or refuse them if of another run)"
fi

mkdir -p "$outdir" 2>/dev/null || die "OUTDIR $outdir cannot be created"
[ -w "$outdir" ] || die "OUTDIR $outdir is not writable"
export WASMATRIX_MATRIX=$matrix WASMATRIX_OUTDIR=$outdir WASMATRIX_SHARDS=$shards WASMATRIX_REPO=$repo
export WASMATRIX_RUNNER=$runner
name=wasmatrix-$(basename "$matrix" .toml)
array=$(sbatch --parsable --job-name="$name" --array="1-$shards" --chdir="$repo" \
  --output="$outdir/slurm-%A_%a.out" runner/slurm/matrix.sbatch "${run_args[@]}") ||
  die "sbatch refused the job array (above)"
array=${array%%;*}
merge_args=(--parsable --job-name="$name-merge" --dependency="afterany:$array" --chdir="$repo"
  --output="$outdir/slurm-merge-%j.out")

echo "shards: job $array, tasks 1-$shards of $cells cells ($matrix)"
echo "        results $outdir/shard-I-of-$shards.csv, logs $outdir/slurm-${array}_I.out"
if [ -z "$wait" ]; then
  merge=$(sbatch "${merge_args[@]}" runner/slurm/merge.sbatch "${filter[@]}") ||
    { scancel "$array" || true; die "sbatch refused the merge job (above); cancelled job $array"; }
  merge=${merge%%;*}
  echo "merge:  job $merge, after job $array: $outdir/merged.csv, log $outdir/slurm-merge-$merge.out"
  echo "watch:  squeue -j $array,$merge    cancel: scancel $array $merge"
  exit 0
fi

# --wait: sbatch prints the merge job's id at once, then waits for it to end; its code is the job's.
exec 3< <(sbatch --wait "${merge_args[@]}" runner/slurm/merge.sbatch "${filter[@]}"; echo "exit $?")
read -r merge <&3
if [[ $merge == "exit "* ]]; then
  scancel "$array" || true
  die "sbatch refused the merge job (above); cancelled job $array"
fi
merge=${merge%%;*}
echo "merge:  job $merge, after job $array: $outdir/merged.csv, log $outdir/slurm-merge-$merge.out"
echo "waiting for the jobs to end (Ctrl-C stops waiting; scancel $array $merge stops the jobs)"
rc=1
while read -r line <&3; do
  case $line in
    "exit "*) rc=${line#exit } ;;
    *) echo "$line" ;;
  esac
done
exec 3<&-
log=$outdir/slurm-merge-$merge.out
[ ! -s "$log" ] || sed 's/^/merge:  /' "$log"
if ((rc == 0)); then
  echo "done: $outdir/merged.csv"
else
  say "the merge job ended with code $rc: see the logs in $outdir"
fi
exit "$rc"
