#!/usr/bin/env bash
# Writes the generated traces of the default suite into traces/generated/.
# Every trace is deterministic for its seed: running this again gives the same files.
#   traces/generate.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
tool="${1:-build}/recorder/mems-trace"
out=traces/generated
mkdir -p "$out"
gen() { "$tool" gen "$@"; }
gen ramp     --seed 1 --ops 40000 --sizes exponential --mean 96 --max 8192 -o "$out/ramp-exp.trace.gz"
gen peak     --seed 2 --ops 40000 --sizes powerlaw --min 16 --alpha 1.3 --max 65536 -o "$out/peak-pareto.trace.gz"
gen plateau  --seed 3 --ops 40000 --sizes uniform --min 8 --max 1024 -o "$out/plateau-uniform.trace.gz"
gen fragment --seed 4 --ops 30000 -o "$out/fragment.trace.gz"
gen coalesce --seed 5 --ops 30000 -o "$out/coalesce.trace.gz"
gen realloc  --seed 6 --ops 30000 -o "$out/realloc-growth.trace.gz"
