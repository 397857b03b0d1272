#!/usr/bin/env bash
# check_house.sh SOURCE_DIR: each job of the harness has one place that does it, and the rooms call downward
# only. Each check names the job and where it is done more than once; a failure lists the places.
set -u
cd "$1" || exit 1
failed=0
fail() {
  echo "FAILED: $1"
  failed=1
}

# gnuplot runs in one function (plot/gnuplot_draw.c), whatever draws
runs=$(grep -rl -- 'gnuplot -e' harness | sort)
[ "$runs" = "harness/plot/gnuplot_draw.c" ] || fail "gnuplot is run from: $runs"

# a result file named DIR/NAME.csv is opened through csv_open (plot/result_csv.c), which writes its header
opened=$(for f in $(grep -rl 'fopen(' harness --include=*.c | grep -v plot/result_csv.c); do
  awk 'FNR == 1 { a = b = c = "" }
       /fopen\(/ && /"w"/ && (a b c $0) ~ /\/[A-Za-z0-9_.%-]*\.csv"/ { print FILENAME ":" FNR }
       { c = b; b = a; a = $0 }' "$f"
done)
[ -z "$opened" ] || fail "a CSV is opened outside csv_open at: $opened"

# one interpreter of trace ops: replay_apply (replay/replay_ops.c) is the only code that turns an op into a call
# of an allocator's ops; the study places through it, calling MeMS's allocation functions nowhere itself
interpreters=$(grep -rlE '(ops|inner)->(alloc|zalloc|aligned|resize)\(' harness | sort)
[ "$interpreters" = "harness/replay/replay_ops.c" ] || fail "trace ops are turned into allocator calls in: $interpreters"
direct=$(grep -rlE 'mems_(malloc|calloc|realloc|free)\(' harness/study)
[ -z "$direct" ] || fail "the study calls MeMS's allocation functions itself in: $direct"
grep -q 'replay_apply' harness/study/study_replay.c || fail "the study does not replay through replay_apply"

# an op is classified in trace/trace.h alone (op_frees, op_frees_null, op_acts_on_block)
classified=$(grep -rnE 'kind == OP_FREE \|\||OP_FREE && \(op(->|\.)flags & OP_FLAG_NULL\)' harness | grep -v '^harness/trace/trace.h')
[ -z "$classified" ] || fail "an op is classified outside trace.h: $classified"

# the limit options (--mem-limit, --timeout, --cpu) are described and parsed in run/ alone
limits=$(grep -rlE '"(mem-limit|cpu)"' harness | grep -v '^harness/run/' | sort)
[ -z "$limits" ] || fail "the limit options are written out again in: $limits"

# MeMS's policy names come from the library: no list of them spelled out in the harness
listed=$(grep -rnE '"[^"]*mems-(first|next|best|worst)[,"]' harness --include=*.c --include=*.h)
[ -z "$listed" ] || fail "MeMS policy names spelled out: $listed"

# the rooms call downward only: nothing below study/ includes it, the suite or the commands above them, and the
# statistics have a room of their own below the study and the suite
upward=$(grep -rnE '#include "(study|suite|programs|scaling|threads)[a-z_]*\.h"' \
  harness/replay harness/trace harness/plot harness/run harness/stats)
[ -z "$upward" ] || fail "a lower room includes a higher one: $upward"
[ -z "$(grep -rn '#include "suite' harness/study)" ] || fail "the study includes the suite, which calls it"
[ -f harness/stats/stats.c ] && [ ! -e harness/suite/stats.c ] || fail "stats.c is not in harness/stats"
grep -q 'bench_replay' <(grep 'target_link_libraries(bench_study' harness/CMakeLists.txt) ||
  fail "bench_study does not link the replay room it replays through"

# no run's leftovers committed: traces.log gone, build and run folders ignored (results/example kept)
[ ! -e traces.log ] || fail "traces.log is at the root"
grep -qx '/build\*/' .gitignore && grep -qx '/results/\*' .gitignore && grep -qx '!/results/example/' .gitignore ||
  fail ".gitignore does not ignore /build*/ and /results/* while keeping results/example"

# the README is a front door
lines=$(wc -l < README.md)
[ "$lines" -le 350 ] || fail "README.md has $lines lines (at most 350)"

[ $failed -eq 0 ] && echo "one gnuplot runner, one CSV opener, one op interpreter, one op classifier, one limits parser;" \
  "policy names from the library; rooms downward; README $lines lines"
exit $failed
