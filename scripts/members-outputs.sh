#!/usr/bin/env bash
# Every corpus program (traces/programs.sh) run once on glibc and once on each
# MeMS placement policy of the build, through `mems-run --check` (MeMS's
# structures checked at every process's exit, a problem aborts it), and each
# output compared byte for byte with glibc's after the program's own
# normalisation. Prints one line per program and policy and a total; exits 1
# if any output differs or any run fails.
#   scripts/members-outputs.sh [--build DIR] [--policies LIST] [--programs LIST] [--arenas N]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build policies="" programs="" arenas=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --policies) policies=${2//,/ }; shift 2 ;;
    --programs) programs=${2//,/ }; shift 2 ;;
    --arenas) arenas=$2; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "members-outputs.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
run=$build/mems/mems-run bench=$build/harness/mems-bench
[ -x "$run" ] && [ -x "$bench" ] || { echo "members-outputs.sh: build mems-run and mems-bench in $build first" >&2; exit 2; }
[ -n "$policies" ] || policies=$("$bench" policies | sed 's/^mems-//')
[ -n "$programs" ] || programs=$(traces/programs.sh list)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
traces/programs.sh inputs "$work/inputs"
same=0 differ=0 failed=0 skipped=0
for program in $programs; do
  if ! command -v "$(traces/programs.sh needs "$program")" >/dev/null; then
    echo "$program: not installed, skipped"; skipped=$((skipped + 1)); continue
  fi
  reference=$work/$program/glibc
  mkdir -p "$reference"
  traces/programs.sh run "$program" "$work/inputs" "$reference" >/dev/null 2>&1
  traces/programs.sh normalize "$program" "$reference"
  for policy in $policies; do
    out=$work/$program/$policy
    mkdir -p "$out"
    if ! "$run" --check --policy "$policy" --arenas "$arenas" -- \
         traces/programs.sh run "$program" "$work/inputs" "$out" >/dev/null 2>"$out.stderr"; then
      echo "$program on mems-$policy: FAILED: $(tail -2 "$out.stderr" | tr '\n' ' ')"; failed=$((failed + 1)); continue
    fi
    traces/programs.sh normalize "$program" "$out"
    if diff -r -q "$reference" "$out" >/dev/null; then
      echo "$program on mems-$policy: output identical to glibc's"; same=$((same + 1))
    else
      echo "$program on mems-$policy: OUTPUT DIFFERS: $(diff -r -q "$reference" "$out" | head -1)"; differ=$((differ + 1))
    fi
  done
done
echo "identical $same, different $differ, failed $failed, programs skipped $skipped"
[ $differ -eq 0 ] && [ $failed -eq 0 ]
