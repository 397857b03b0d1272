#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 60) from its committed corpus. New inputs go to a scratch
# folder; a crash leaves its input in fuzz-artifacts/ and fails the script:
# add that input to tests/fuzz/corpus/TARGET/ as a regression test.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (targets: mems traces)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(mems traces)
CC=clang cmake -S . -B build-fuzz -DMEMS_FUZZ=ON -DMEMS_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null
mkdir -p fuzz-artifacts
status=0
for target in "${targets[@]}"; do
  scratch=$(mktemp -d)
  if ./build-fuzz/tests/fuzz/fuzz_"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
       -max_len=65536 -artifact_prefix=fuzz-artifacts/"$target"- "$scratch" tests/fuzz/corpus/"$target" \
       >fuzz-artifacts/"$target".log 2>&1; then
    echo "fuzz: $target: $(grep -E '^Done [0-9]+ runs' fuzz-artifacts/"$target".log | tail -1), no crash"
  else
    echo "fuzz: $target FAILED:"; grep -A30 -E 'ERROR|==[0-9]+==|abort|fuzz_' fuzz-artifacts/"$target".log | head -60
    status=1
  fi
  rm -rf "$scratch"
done
exit $status
