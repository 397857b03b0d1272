#!/usr/bin/env bash
# cmake --install into an empty prefix, then a program built against it with
# pkg-config and with find_package(MeMS) (shared and static), run; and the
# installed mems-run and mems-trace find their preloads.
# check_install.sh BUILD_DIR SOURCE_DIR WORK
set -eu
build=$1 here=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for f in include/mems.h lib/libmems.a lib/libmems.so lib/libmems_malloc.so lib/libmems_record.so \
         lib/pkgconfig/mems.pc lib/cmake/MeMS/MeMSConfig.cmake bin/mems-bench bin/mems-trace bin/mems-run \
         share/mems/plots/common.gp; do
  [ -e "$prefix/$f" ] || { echo "FAILED: $f not installed"; exit 1; }
done
expect="installed: best fit, 100 live bytes"
# pkg-config
cc -o "$work/pc" "$here/consumer.c" $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs mems) \
   -Wl,-rpath,"$prefix/lib"
out=$("$work/pc"); [[ "$out" == "$expect"* ]] || { echo "FAILED: pkg-config build printed '$out'"; exit 1; }
# find_package
mkdir -p "$work/consumer" && cp "$here/consumer.c" "$work/consumer/" && cp "$here/CMakeLists.txt.in" "$work/consumer/CMakeLists.txt"
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/consumer.log"
cmake --build "$work/consumer/build" >> "$work/consumer.log"
for kind in shared static; do
  out=$("$work/consumer/build/consumer_$kind"); [[ "$out" == "$expect"* ]] || { echo "FAILED: find_package $kind printed '$out'"; exit 1; }
done
# the installed tools find their libraries
out=$("$prefix/bin/mems-run" --stats --policy worst -- /bin/true 2>&1)
[[ "$out" == *"policy worst"* ]] || { echo "FAILED: installed mems-run: $out"; exit 1; }
(cd "$work" && "$prefix/bin/mems-trace" record -o "$work/rec" -- /bin/true > /dev/null) || { echo "FAILED: installed mems-trace"; exit 1; }
echo "install: headers, libmems.so/.a, preloads, tools, plots, mems.pc and the CMake package work from $prefix"
