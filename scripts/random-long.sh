#!/usr/bin/env bash
# Long randomized runs against the reference model: every MeMS policy of the
# build (`mems-bench policies`), each in its own process, as many at once as
# there are cores. Each run is test_random's five (four option sets and a run
# that changes policy on a live heap) at STEPS steps, every address, error and
# byte checked at every step, mems_check() and the whole stats text every
# CHECK_EVERY steps. Prints one line per policy and exits 1 when any failed.
#
#   scripts/random-long.sh [--steps N] [--check-every K] [--page 4096] [--jobs J] [--build DIR] [POLICY...]
#
# At 200,000 steps a run takes one to three minutes of one core here
# (docs/testing.md has the last measured set).
set -euo pipefail
cd "$(dirname "$0")/.."

steps=200000 check_every=1000 page=4096 jobs=$(nproc) build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --check-every) check_every=$2; shift 2 ;;
    --page) page=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    -*) echo "random-long.sh: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
  esac
done
whole() { # FLAG VALUE: a whole number above 0, or stop before any work
  case "$2" in
    ''|*[!0-9]*|0) echo "random-long.sh: $1 '$2': expected a whole number above 0" >&2; exit 2 ;;
  esac
}
whole --steps "$steps"; whole --check-every "$check_every"; whole --page "$page"; whole --jobs "$jobs"
test_bin=$build/tests/test_random_$page
bench=$build/harness/mems-bench
for f in "$test_bin" "$bench"; do
  [ -x "$f" ] || { echo "random-long.sh: no $f (build first: cmake -S . -B $build && cmake --build $build)" >&2; exit 2; }
done
if [ $# -gt 0 ]; then policies=("$@"); else mapfile -t policies < <("$bench" policies | sed 's/^mems-//'); fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run_one() {
  local policy=$1 start rc
  start=$(date +%s)
  rc=0
  MEMS_RANDOM_POLICY=$policy MEMS_RANDOM_STEPS=$steps MEMS_RANDOM_CHECK_EVERY=$check_every \
    "$test_bin" >"$logs/$policy.log" 2>&1 || rc=$?
  printf '%-14s %s  %4d s  %s\n' "$policy" "$([ $rc = 0 ] && echo pass || echo "FAIL($rc)")" \
    "$(( $(date +%s) - start ))" "$(tail -1 "$logs/$policy.log")"
  [ $rc = 0 ] || sed -n '1,40p' "$logs/$policy.log" >&2
  return $rc
}
export -f run_one
export steps check_every test_bin logs
echo "random-long.sh: ${#policies[@]} policies, $steps steps, invariants and stats text every $check_every, page $page, $jobs at once"
printf '%s\n' "${policies[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} || exit 1
