#!/bin/sh
# The measuring window: /tmp/wasmatrix-quiet exists while it runs (other helpers pause their builds),
# removed on any exit. usage: run.sh OUT.json ROUNDS NAME=BINARY...
set -eu
here=$(dirname "$(readlink -f "$0")")
out=$1 rounds=$2; shift 2
touch /tmp/wasmatrix-quiet
trap 'rm -f /tmp/wasmatrix-quiet' EXIT INT TERM
grep "model name" /proc/cpuinfo | head -1
uptime
python3 "$here/measure.py" --guests "$here/../../target/wasmatrix/guests" --rounds "$rounds" --out "$out" "$@"
uptime
