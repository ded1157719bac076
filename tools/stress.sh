#!/usr/bin/env bash
# make stress: execute every chapter notebook ROUNDS times in a row (default 3), read-only
# (nothing is written back), with the cell timeout of `make execute`, and print each run's
# time. A kernel hang shows as a cell timeout and fails the run; see the README ("No hangs").
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
PY=${PY:-.venv/bin/python}
start=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
	echo "== round $round of $ROUNDS ($(date -u +%H:%M:%S) UTC)"
	$PY tools/execute.py --no-record book/*.ipynb
done
echo "stress: $ROUNDS rounds, $(( $(date +%s) - start )) s, no cell timed out"
