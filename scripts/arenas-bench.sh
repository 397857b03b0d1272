#!/usr/bin/env bash
# MeMS's malloc face with one lock and with arenas against glibc (and jemalloc
# where installed), on thread_churn's private-churn, producer-consumer and
# malloc/free-loop workloads: throughput (malloc and free calls per second of wall time, the
# median of --repeat runs, and its ratio to glibc's in the same run), the same
# per second of CPU time (user + system: on a machine shared with other work
# the wall time mostly measures the others), and peak RSS. A benchmark, not a
# test: numbers move with the machine's load.
#   scripts/arenas-bench.sh [--build DIR] [--threads N] [--ops N] [--repeat N] [--policy P]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build threads=2 ops=2000000 repeat=5 policy=first
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --ops) ops=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --policy) policy=$2; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "arenas-bench.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
churn=$build/examples/thread_churn run=$build/mems/mems-run
[ -x "$churn" ] && [ -x "$run" ] || { echo "arenas-bench.sh: build thread_churn and mems-run in $build first" >&2; exit 2; }
jemalloc=$(ls /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 2>/dev/null || true)

# one run: "OPS_PER_SECOND OPS_PER_CPU_SECOND PEAK_RSS_KB"
one() {
  local rss
  rss=$( { /usr/bin/time -f '%M' "$@" > /tmp/arenas-bench.$$ ; } 2>&1 | tail -1)
  echo "$(awk '{ print $5, $7 }' /tmp/arenas-bench.$$) $rss"
}

# the median of $repeat runs, interleaved by the caller
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%s threads, %s ops, median of %s runs, load %s\n\n' "$threads" "$ops" "$repeat" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| workload | allocator | ops/s (wall) | of glibc | ops/s (CPU) | of glibc | peak RSS (KiB) |\n|---|---|---:|---:|---:|---:|---:|\n'
for mode in private pc loop; do
  names=(glibc "mems-$policy" "mems-$policy@$threads")
  cmds=("" "$run --policy $policy --" "$run --policy $policy --arenas $threads --")
  if [ -n "$jemalloc" ]; then names+=(jemalloc); cmds+=("env LD_PRELOAD=$jemalloc"); fi
  declare -A rate=() cpu=() rss=()
  for _ in $(seq "$repeat"); do
    for i in "${!names[@]}"; do
      read -r r c m < <(one ${cmds[$i]} "$churn" "$mode" "$threads" "$ops")
      rate[$i]+="$r "; cpu[$i]+="$c "; rss[$i]+="$m "
    done
  done
  glibc=$(tr ' ' '\n' <<< "${rate[0]}" | grep . | median)
  glibc_cpu=$(tr ' ' '\n' <<< "${cpu[0]}" | grep . | median)
  for i in "${!names[@]}"; do
    r=$(tr ' ' '\n' <<< "${rate[$i]}" | grep . | median)
    c=$(tr ' ' '\n' <<< "${cpu[$i]}" | grep . | median)
    m=$(tr ' ' '\n' <<< "${rss[$i]}" | grep . | median)
    awk -v w="$mode" -v a="${names[$i]}" -v r="$r" -v g="$glibc" -v c="$c" -v gc="$glibc_cpu" -v m="$m" \
      'BEGIN { printf "| %s | %s | %.2f M | %.2f | %.2f M | %.2f | %d |\n", w, a, r / 1e6, r / g, c / 1e6, c / gc, m }'
  done
  unset rate cpu rss
done
rm -f /tmp/arenas-bench.$$
