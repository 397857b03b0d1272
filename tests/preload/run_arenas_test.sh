#!/usr/bin/env bash
# The malloc face with arenas: run_arenas_test.sh CASE MEMS_RUN THREAD_CHURN WORK
#   threads   thread_churn's private and producer-consumer runs under
#             mems-run --arenas 4 --check: every block intact, MEMS_CHECK clean,
#             MEMS_STATS a line per arena and a total that is their sum
#   programs  real programs under mems-run --arenas 4 --check (sort with
#             threads, and the corpus's gawk, sqlite, xz -T2 and threaded python runs from
#             traces/programs.sh where installed), outputs identical to glibc's
#   settings  MEMS_ARENAS out of range or not a number stops the program
# Exit 77 (skipped) when a program the case needs is not installed.
set -u
case_name=$1 mems_run=$2 thread_churn=$3 work=$4
here=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failed=0
fail() { echo "FAILED: $*"; failed=1; }

case "$case_name" in
threads)
  for mode in private pc; do
    "$mems_run" --arenas 4 --check --stats="$work/$mode.stats" -- "$thread_churn" "$mode" 4 400000 > "$mode.out" 2> "$mode.err" ||
      { fail "thread_churn $mode: exit $?"; cat "$mode.err"; continue; }
    for k in 0 1 2 3; do
      grep -q "^libmems_malloc: thread_churn\[[0-9]*\]: arena $k: policy first" "$mode.stats" ||
        fail "$mode: no stats line for arena $k"
    done
    grep -q ": arena 4:" "$mode.stats" && fail "$mode: a fifth arena"
    # the total line sums the arenas' lines (searches: every malloc searched in one arena)
    awk -v mode="$mode" '
      / searches,/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "searches,") n = $i }
      /\]: arena / { sum += n; arenas++; next }
      /\]: policy / { total = n }
      END { if (arenas != 4 || sum != total || total < 400000 / 2) { print "FAILED: " mode ": arenas " arenas ", searches " sum " against a total of " total; exit 1 } }
    ' "$mode.stats" || failed=1
  done
  [ $failed -eq 0 ] && echo "thread_churn private and pc: intact on 4 arenas, stats per arena summing to the total"
  ;;
programs)
  command -v sort >/dev/null || { echo "skipped: no sort"; exit 77; }
  seq 1 300000 | awk '{ print ($1 * 7919) % 300007, $1 }' > numbers.txt
  sort --parallel=4 -S 2M -n numbers.txt > ref.sort
  "$mems_run" --arenas 4 --check -- sort --parallel=4 -S 2M -n numbers.txt > arenas.sort || fail "sort on 4 arenas: exit $?"
  cmp -s ref.sort arenas.sort || fail "sort --parallel=4 on 4 arenas: output differs from glibc's"
  programs="$here/traces/programs.sh"
  ran=0
  for name in ${ARENAS_PROGRAMS:-gawk-words sqlite-queries xz-threads python-threads}; do # ARENAS_PROGRAMS: another list (all six: by hand)
    command -v "$(bash "$programs" needs "$name")" >/dev/null 2>&1 || { echo "$name: not installed, not run"; continue; }
    [ -d inputs ] || bash "$programs" inputs "$work/inputs" > /dev/null
    mkdir -p "ref-$name" "arenas-$name"
    bash "$programs" run "$name" "$work/inputs" "$work/ref-$name" > /dev/null 2>&1 || fail "$name on glibc: exit $?"
    "$mems_run" --arenas 4 --check -- bash "$programs" run "$name" "$work/inputs" "$work/arenas-$name" > /dev/null 2>&1 ||
      fail "$name on 4 arenas: exit $?"
    bash "$programs" normalize "$name" "ref-$name" && bash "$programs" normalize "$name" "arenas-$name"
    diff -r "ref-$name" "arenas-$name" > /dev/null || fail "$name on 4 arenas: output differs from glibc's"
    ran=$((ran + 1))
  done
  [ $failed -eq 0 ] && echo "sort --parallel=4 and $ran corpus programs: identical on glibc and 4 arenas"
  ;;
settings)
  for bad in 0 65 four; do
    MEMS_ARENAS=$bad "$mems_run" -- true 2> err.txt
    rc=$?
    [ $rc -eq 2 ] || fail "MEMS_ARENAS=$bad: exit $rc, expected 2"
    grep -q "MEMS_ARENAS=$bad" err.txt || fail "MEMS_ARENAS=$bad: no message naming it"
  done
  "$mems_run" --arenas 64 -- true || fail "--arenas 64: exit $?"
  [ $failed -eq 0 ] && echo "MEMS_ARENAS refused outside 1..64"
  ;;
*)
  echo "unknown case $case_name"; exit 2 ;;
esac
exit $failed
