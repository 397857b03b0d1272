#!/usr/bin/env bash
# Re-records the corpus in traces/corpus/ on a Debian 12 machine: six real
# programs from Debian packages, each on a real input, through mems-trace.
# The programs, their commands and inputs are traces/programs.sh's, which
# `mems-bench programs` runs on each allocator.
#   traces/record.sh [BUILD_DIR [NAME...]]     (the named programs only, else all)
# Inputs are made here, deterministically; only the traces are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
tool="$build/recorder/mems-trace"
out=traces/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq --no-install-recommends python3 gcc gawk make perl sqlite3 xz-utils >/dev/null
fi
[ -x "$tool" ] || { cmake -S . -B "$build" >/dev/null && cmake --build "$build" -j"$(nproc)" >/dev/null; }
mkdir -p "$out"

# record NAME KEEP-PROGRAM COMMAND...: records COMMAND, keeps the trace of the
# process named KEEP-PROGRAM (the largest if there are several) as NAME.trace.gz
record() {
  local name=$1 keep=$2; shift 2
  rm -rf "$work/rec"
  "$tool" record -o "$work/rec" -- "$@" >/dev/null
  local best
  best=$(ls -S "$work/rec/$keep".*.trace.gz | head -n 1)
  cp "$best" "$out/$name.trace.gz"
  echo "record.sh: $name <- $(basename "$best")" >&2
}

programs=traces/programs.sh
"$programs" inputs "$work/inputs"
for name in ${*:-$("$programs" list)}; do
  mkdir -p "$work/out/$name"
  record "$name" "$("$programs" record-as "$name")" "$programs" run "$name" "$work/inputs" "$work/out/$name"
done
echo "record.sh: traces in $out; 'mems-trace stat' each for traces/README.md" >&2
