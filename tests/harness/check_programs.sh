#!/usr/bin/env bash
# check_programs.sh MEMS_BENCH WORK: `mems-bench programs --quick` on make and
# sqlite3 with glibc, mems-first and mems-best (the preload) and jemalloc,
# into a folder named relative to the working one.
set -u
bench=$1 work=$2
command -v make >/dev/null && command -v sqlite3 >/dev/null && command -v python3 >/dev/null ||
  { echo "skipped: make, sqlite3 or python3 is not installed"; exit 77; }
rm -rf "$work"
# a relative --out, as the command's default and the suite's run folders are:
# each program runs inside its own output folder, where that path names nothing
(cd "$(dirname "$work")" && "$bench" programs --quick --runs 2 --programs make-plan,sqlite-queries \
  --alloc mems-first,mems-best,jemalloc --out "$(basename "$work")") > "$work.log" 2>&1 ||
  { rc=$?; cat "$work.log"; echo "FAILED: mems-bench programs exited $rc"; exit 1; }
csv="$work/programs.csv"
header="program,allocator,status,runs,mean_s,stddev_s,time_vs_glibc,peak_rss_bytes,rss_vs_glibc,output_identical,replay_footprint_bytes,replay_rss_growth_bytes,replay_footprint_vs_peak_rss"
[ "$(head -1 "$csv")" = "$header" ] || { echo "FAILED: header of $csv"; exit 1; }
rows=$(tail -n +2 "$csv" | wc -l)
[ "$rows" -eq 8 ] || { echo "FAILED: $rows rows, expected 2 programs x 4 allocators"; exit 1; }
bad=$(tail -n +2 "$csv" | awk -F, '$3 != "ok" || $4 != 2 || !($5 > 0) || !($7 > 0) || !($8 > 0) || !($9 > 0) ||
      $10 != "true" || !($11 > 0) || !($13 > 0) { print }')
[ -z "$bad" ] || { echo "FAILED: rows with a missing or wrong value:"; echo "$bad"; exit 1; }
glibc=$(awk -F, '$2 == "glibc" && $7 != "1.0000" { print }' "$csv")
[ -z "$glibc" ] || { echo "FAILED: glibc's ratios are not 1: $glibc"; exit 1; }
for f in programs.md figures/programs-time.png figures/programs-rss.svg hyperfine-make-plan.json replay/summary.csv; do
  [ -s "$work/$f" ] || { echo "FAILED: $f missing"; exit 1; }
done
# the time figure's bars carry hyperfine's sigma: per allocator a ratio and its spread; the RSS figure's a ratio alone
awk 'NF != 9 { bad = 1 } $3 > 0 || $5 > 0 { spread = 1 } END { exit bad || !spread }' "$work/figures/programs-time.dat" ||
  { echo "FAILED: programs-time.dat lacks the ratios' spreads (the error bars):"; cat "$work/figures/programs-time.dat"; exit 1; }
awk 'NF != 5 { bad = 1 } END { exit bad }' "$work/figures/programs-rss.dat" ||
  { echo "FAILED: programs-rss.dat is not a ratio per allocator"; exit 1; }
grep -q "4 of 4 identical\|6 of 6 identical" "$work/programs.md" || { echo "FAILED: programs.md does not report identical outputs"; exit 1; }
echo "programs: 2 programs x 4 allocators measured, outputs identical to glibc's, replays beside them"
