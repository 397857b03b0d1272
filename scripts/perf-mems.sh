#!/usr/bin/env bash
# MeMS's cost against real allocators: a benchmark, not a test.
#
# One `mems-bench replay` runs the six corpus traces and the generated set
# against the four MeMS policies, glibc and jemalloc (repeats interleaved, so
# drift touches every allocator alike), then prints, from its summary.csv:
#   - ns/op medians per trace and allocator, with the geometric mean over the
#     corpus of (time per op / glibc's), its highest single trace, and the
#     geometric mean of (peak footprint / glibc's), and
#     the time ratio again from each allocator's fastest repeat: on a host where
#     whole processes run in a slow mode (here up to 1.7 times slower, for every
#     allocator, at random), a median of a few repeats can land in either mode;
#   - MeMS's metadata / peak live bytes per corpus trace and policy (the
#     metadata mapped at the sample of peak footprint, harness/METRICS.md);
#   - page faults per 1,000 ops of the timed pass, per corpus trace and
#     allocator: the pages each one touched first, a share of its time that
#     grows with how far a policy spreads its blocks;
#   - instructions per operation of the timed pass from callgrind (counted
#     inside run_timed only: the replay loop and nothing of start-up), for
#     mems-first, mems-best and glibc on two corpus traces: numbers that do
#     not move with the machine's load.
# The tables go to RESULT.md in the run folder and to stdout.
#
# --zoo replays every MeMS policy of the build (`mems-bench policies`: the
# address-ordered fits, their LIFO and FIFO lists, TLSF, Lea, the buddy
# systems, simple segregated storage) instead of the four address-ordered
# fits; --alloc LIST names the allocators (glibc is always added: the ratios
# are to it).
#
#   scripts/perf-mems.sh [--repeat N] [--quick] [--out DIR] [--build DIR] [--no-callgrind] [--cpu N|none]
#                        [--zoo | --alloc LIST]
# --build DIR uses DIR/harness/mems-bench (another checkout's build, e.g. the
# code before a change, for a before/after table). --cpu N runs every replay
# process on CPU N (default none: where the kernel puts it). On the 2-core
# virtual machine of docs/performance.md's tables it did not remove the slow mode above:
# pinned to one CPU, processes still ran 1.4 to 1.8 times slower at random.
set -euo pipefail
cd "$(dirname "$0")/.."

repeat=3
cpu=none
out=""
build=build
callgrind=1
allocators=""
zoo=0
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --quick) repeat=1; callgrind=0; shift ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --no-callgrind) callgrind=0; shift ;;
    --cpu) cpu=$2; shift 2 ;;
    --zoo) zoo=1; shift ;;
    --alloc) allocators=$2; shift 2 ;;
    -h|--help) sed -n 2,34p "$0"; exit 0 ;;
    *) echo "perf-mems.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
bench=$build/harness/mems-bench
if [ ! -x "$bench" ]; then
  if [ "$build" = build ]; then
    cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" --target mems-bench >/dev/null
  else
    echo "perf-mems.sh: no $bench" >&2; exit 2
  fi
fi
pin=()
if [ "$cpu" != none ]; then
  "$bench" replay --help 2>&1 | grep -q -- '--cpu' || { echo "perf-mems.sh: $bench has no --cpu" >&2; exit 2; }
  pin=(--cpu "$cpu")
fi
[ -n "$out" ] || out=results/perf-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
if [ "$zoo" = 1 ]; then
  allocators="$("$bench" policies | paste -sd, -),glibc,jemalloc"
elif [ -z "$allocators" ]; then
  allocators=mems-first,mems-next,mems-best,mems-worst,glibc,jemalloc
fi
case ",$allocators," in *,glibc,*) ;; *) allocators="$allocators,glibc" ;; esac
corpus=(traces/corpus/*.trace.gz)
generated=(traces/generated/*.trace.gz)

"$bench" replay --repeat "$repeat" "${pin[@]}" --alloc "$allocators" --out "$out/replay" "${corpus[@]}" "${generated[@]}" \
  >"$out/replay.log" 2>&1 || { tail -20 "$out/replay.log" >&2; exit 1; }
summary=$out/replay/summary.csv

corpus_names=$(for t in "${corpus[@]}"; do basename "$t" .trace.gz; done | tr '\n' ' ')
generated_names=$(for t in "${generated[@]}"; do basename "$t" .trace.gz; done | tr '\n' ' ')

# median of each (trace, allocator, column) over the repeats, then the tables
tables() {
  awk -F, -v corpus="$corpus_names" -v generated="$generated_names" -v allocs="$allocators" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    {
      k = $col["trace"] SUBSEP $col["allocator"]; n[k]++
      ns[k, n[k]] = $col["ns_per_op"]; foot[k, n[k]] = $col["peak_footprint_bytes"]
      live[k] = $col["peak_live_bytes"]; meta[k, n[k]] = $col["mems_metadata_bytes"]
      faults[k, n[k]] = $col["page_faults_per_kop"]
    }
    function median(arr, k, m,    i, j, t, v) {
      for (i = 1; i <= m; i++) v[i] = arr[k, i] + 0
      for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    function fastest(arr, k, m,    i, v) {
      v = arr[k, 1] + 0
      for (i = 2; i <= m; i++) if (arr[k, i] + 0 < v) v = arr[k, i] + 0
      return v
    }
    function table(title, names,    t, a, nt, na, T, A, i, j, k, line, lt, lf, lm, r, mx, mt) {
      nt = split(names, T, " "); na = split(allocs, A, ",")
      printf "\n### %s: ns/op (median of %d)\n\n| trace |", title, reps
      for (j = 1; j <= na; j++) printf " %s |", A[j]
      printf "\n|---|"; for (j = 1; j <= na; j++) printf "---:|"; printf "\n"
      for (j = 1; j <= na; j++) { lt[j] = 0; lf[j] = 0; lm[j] = 0; mx[j] = 0; mt[j] = "" }
      for (i = 1; i <= nt; i++) {
        printf "| %s |", T[i]
        g = T[i] SUBSEP "glibc"
        for (j = 1; j <= na; j++) {
          k = T[i] SUBSEP A[j]
          printf " %.1f |", median(ns, k, n[k])
          r = median(ns, k, n[k]) / median(ns, g, n[g])
          lt[j] += log(r)
          if (r > mx[j]) { mx[j] = r; mt[j] = T[i] }
          lf[j] += log(median(foot, k, n[k]) / median(foot, g, n[g]))
          lm[j] += log(fastest(ns, k, n[k]) / fastest(ns, g, n[g]))
        }
        printf "\n"
      }
      printf "| **time per op / glibc (geomean)** |"
      for (j = 1; j <= na; j++) printf " **%.2f** |", exp(lt[j] / nt)
      printf "\n| highest time per op / glibc of one trace |"
      for (j = 1; j <= na; j++) printf " %.2f (%s) |", mx[j], mt[j]
      printf "\n| time per op / glibc, fastest repeat of each (geomean) |"
      for (j = 1; j <= na; j++) printf " %.2f |", exp(lm[j] / nt)
      printf "\n| **peak footprint / glibc (geomean)** |"
      for (j = 1; j <= na; j++) printf " %.2f |", exp(lf[j] / nt)
      printf "\n"
    }
    END {
      for (k in n) { reps = n[k]; break }
      table("Corpus", corpus)
      table("Generated set", generated)
      nt = split(corpus, T, " ")
      na = split(allocs, A, ","); np = 0
      for (j = 1; j <= na; j++) if (A[j] ~ /^mems-/) P[++np] = A[j]
      printf "\n### MeMS metadata at peak footprint / peak live bytes (alignment 16)\n\n| trace |"
      for (j = 1; j <= np; j++) printf " %s |", P[j]
      printf "\n|---|"; for (j = 1; j <= np; j++) printf "---:|"; printf "\n"
      for (i = 1; i <= nt; i++) {
        printf "| %s |", T[i]
        for (j = 1; j <= np; j++) { k = T[i] SUBSEP P[j]; printf " %.3f |", median(meta, k, n[k]) / live[k] }
        printf "\n"
      }
      na = split(allocs, A, ",")
      printf "\n### Page faults per 1,000 ops in the timed pass (corpus, median)\n\n| trace |"
      for (j = 1; j <= na; j++) printf " %s |", A[j]
      printf "\n|---|"; for (j = 1; j <= na; j++) printf "---:|"; printf "\n"
      for (i = 1; i <= nt; i++) {
        printf "| %s |", T[i]
        for (j = 1; j <= na; j++) { k = T[i] SUBSEP A[j]; printf " %.2f |", median(faults, k, n[k]) }
        printf "\n"
      }
    }' "$summary"
}

# instructions per op of the timed pass, counted inside run_timed
callgrind_table() {
  printf '\n### Instructions per operation (callgrind, timed pass, inside run_timed)\n\n'
  printf '| trace | mems-first | mems-best | glibc |\n|---|---:|---:|---:|\n'
  for name in gawk-words make-plan; do
    bin=$(ls "$out"/replay/bin/*-"$name".bin)
    ops=$(awk -F, -v t="$name" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["trace"] == t { print $c["ops"]; exit }' "$summary")
    printf '| %s |' "$name"
    for alloc in mems-first mems-best glibc; do
      cg=$out/callgrind.$name.$alloc.out
      # the child's arguments: newer builds take a memory limit after the heap map
      run() { valgrind --tool=callgrind --toggle-collect=run_timed --callgrind-out-file="$cg" \
                "$bench" --child timed "$bin" "$alloc" 16 - - "$@" >/dev/null 2>"$cg.log"; }
      run 0 || run
      instructions=$(grep -E '^(summary|totals):' "$cg" | head -1 | awk '{ print $2 }')
      awk -v i="$instructions" -v n="$ops" 'BEGIN { printf " %.0f |", i / n }'
    done
    printf '\n'
  done
}

{
  echo "## perf-mems: $(git -C "$build/.." rev-parse --short HEAD 2>/dev/null) ($bench), $(nproc) cores, replays on CPU ${cpu}, $(date -u +%Y-%m-%d)"
  tables
  # an if, not a chain of &&: under set -e and pipefail a false test last
  # in the group made --no-callgrind runs exit 1
  if [ "$callgrind" = 1 ] && command -v valgrind >/dev/null; then callgrind_table; fi
} | tee "$out/RESULT.md"
echo "perf-mems.sh: results in $out"
