#!/usr/bin/env bash
# Runs the MeMS unit tests of a build under valgrind memcheck; any report fails.
#   scripts/valgrind-tests.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
status=0
for test in "$build"/tests/test_*_4096 "$build"/tests/test_lab; do
  [ -x "$test" ] || continue
  if MEMS_RANDOM_STEPS=600 MEMS_SOAK_OPS=2000 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
       "$test" >/dev/null 2>"$test.valgrind.txt"; then
    echo "valgrind: $(basename "$test") clean"
  else
    echo "valgrind: $(basename "$test") FAILED:"; cat "$test.valgrind.txt"; status=1
  fi
done
exit $status
