#!/usr/bin/env bash
# The main job: install what is needed (Debian 12), build, and run the
# benchmark suite: the default traces against every installed allocator, with
# repeats, statistics, figures and hyperfine, into results/<run>/REPORT.md.
#   scripts/bench.sh [mems-bench suite options...]   (e.g. --quick, --repeat 3)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=$(tr '\n' ' ' < scripts/debian-packages.txt)
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $packages 2>/dev/null | awk '$NF != "installed" {print $1}' || true)
missing="$missing $(for p in $packages; do dpkg-query -W "$p" >/dev/null 2>&1 || echo "$p"; done)"
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ -n "${missing// /}" ]; then
  echo "bench.sh: installing Debian packages: $missing" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

exec ./build/harness/mems-bench suite "$@"
