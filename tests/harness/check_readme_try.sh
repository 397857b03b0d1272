#!/usr/bin/env bash
# check_readme_try.sh SOURCE_DIR BUILD_DIR WORK: the commands of README.md's "Try it in ten seconds" block, as a
# newcomer would paste them into the checkout (./build/ the build folder, /tmp/ a scratch folder), each exits 0.
set -u
source_dir=$1 build=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
block=$(awk '/^## Try it/ { f = 1 } f && /^```sh/ { g = 1; next } g && /^```/ { exit } g' "$source_dir/README.md")
[ -n "$block" ] || { echo "FAILED: README.md has no sh block under '## Try it'"; exit 1; }
cd "$source_dir" || exit 1
n=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  command=${line//.\/build\//$build/}
  command=${command//\/tmp\//$work/}
  n=$((n + 1))
  if ! bash -c "$command" > "$work/out-$n.log" 2>&1; then
    cat "$work/out-$n.log"
    echo "FAILED: README command $n exited non-zero: $line"
    exit 1
  fi
done <<< "$block"
echo "README.md's try-it block: $n commands, each exited 0"
