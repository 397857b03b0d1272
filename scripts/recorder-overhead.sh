#!/usr/bin/env bash
# Measures what recording costs a real program: GNU awk counting the words of
# the GPL-3 text 20 times, run plain, with the recorder preloaded, and through
# `mems-trace record` (which also validates and compresses the trace), timed
# side by side by hyperfine. Prints hyperfine's table; ratios are in it.
#   scripts/recorder-overhead.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 20); do cat /usr/share/common-licenses/GPL-3; done > "$work/text.txt"
prog='{ for (i = 1; i <= NF; i++) count[tolower($i)]++ } END { for (w in count) n++; print n }'
mkdir -p "$work/traces"
hyperfine --warmup 2 --runs 10 --export-markdown "$work/overhead.md" \
  --prepare "rm -rf $work/traces/* $work/rec" \
  -n plain "gawk '$prog' $work/text.txt" \
  -n preloaded "env LD_PRELOAD=$build/recorder/libmems_record.so MEMS_TRACE_DIR=$work/traces gawk '$prog' $work/text.txt" \
  -n mems-trace-record "$build/recorder/mems-trace record -o $work/rec -- gawk '$prog' $work/text.txt" >&2
cat "$work/overhead.md"
