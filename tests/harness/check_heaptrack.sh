#!/bin/bash
# heaptrack recordings of real programs, made now in both of heaptrack's forms
# (interpreted, its default, and raw, -r): the allocations, frees and peak live
# bytes `mems-bench validate` prints must equal heaptrack's own (the stats it
# prints when it records, heaptrack_print's totals, the bytes its peak
# flamegraph holds) and an independent count over the decompressed data; every
# replay of them is clean on every allocator and every MeMS policy; a recording cut
# short, a bad hex field and a free of an unknown allocation index are refused
# with their file:line.
#   check_heaptrack.sh MEMS_BENCH WORK_DIR [ALLOCATORS]   exit 77 (skipped) without heaptrack
set -u
bench=$(readlink -f "$1")
work=$2
if ! command -v heaptrack > /dev/null || ! command -v heaptrack_print > /dev/null; then
    echo "heaptrack is not installed (apt-get install heaptrack): skipped"
    exit 77
fi
interpret="$(dirname "$(readlink -f "$(command -v heaptrack)")")/../lib/heaptrack/libexec/heaptrack_interpret"
if [ ! -x "$interpret" ]; then
    echo "heaptrack_interpret is not at $interpret: skipped"
    exit 77
fi
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
failures=0
fail() {
    echo "FAILED: $*"
    failures=$((failures + 1))
}

# heaptrack compresses with zstd when the zstd tool is there, else with gzip
unpack() {
    if [ "$(od -An -tx1 -N4 "$1" | tr -d ' ')" = "28b52ffd" ]; then zstd -dcq "$1"; else gzip -dcf "$1"; fi
}

# The programs, each a name and a command line; python3 by its real path, so
# that no wrapper script is recorded in its place.
seq 1 4000 | awk '{ print ($1 * 7919) % 4001 }' > numbers.txt
programs=()
add() { command -v "$2" > /dev/null && programs+=("$1|$(IFS='|'; echo "${*:2}")"); }
add ls ls -l /usr/lib
add sort sort -n numbers.txt
add gawk gawk '{ seen[$1] = $1 "x" } END { n = 0; for (k in seen) n++; print n }' numbers.txt
add python3 /usr/bin/python3 -c 'import json; print(len(json.dumps([{"a": i, "b": str(i)} for i in range(3000)])))'
add sqlite3 sqlite3 :memory: 'create table t(a); insert into t select value from generate_series(1, 3000); select sum(a) from t;'
if [ "${#programs[@]}" -lt 4 ]; then
    fail "fewer than four of ls, sort, gawk, /usr/bin/python3, sqlite3 are installed"
fi

# heaptrack_print's byte format: 1000s, two decimals, the unit's first letter
format_bytes() {
    awk -v b="$1" 'BEGIN { u = "BKMGT"; i = 1; while (i < 5 && b > 1000) { b /= 1000; i++ }
                           if (i == 1) printf "%dB", b; else printf "%.2f%s", b, substr(u, i, 1) }'
}

# The independent count: allocations, frees, peak live bytes over the data.
# Interpreted: '+' and '-' name allocation infos ('a size trace', numbered
# from 0). Raw: frees by pointer; heaptrack skips frees of pointers it saw no
# allocation of, and a pointer allocated again keeps its earlier block live.
count_ops() {
    unpack "$1" | awk '
        $1 == "a" { size[infos++] = strtonum("0x" $2) }
        $1 == "+" && NF == 2 { live += size[strtonum("0x" $2)]; allocs++ }
        $1 == "-" && !raw { live -= size[strtonum("0x" $2)]; frees++ }
        $1 == "x" || $1 == "m" { raw = 1 }
        $1 == "+" && NF == 4 { held[$4] = strtonum("0x" $2); live += held[$4]; allocs++ }
        $1 == "-" && raw && ($2 in held) { live -= held[$2]; delete held[$2]; frees++ }
        $1 == "+" && live > peak { peak = live }
        END { print allocs + 0, frees + 0, peak + 0 }'
}

field() { sed -n "s/.*$1 \([0-9]*\).*/\1/p" <<< "$2"; }

recordings=()
for entry in "${programs[@]}"; do
    name=${entry%%|*}
    IFS='|' read -r -a command <<< "${entry#*|}"
    for mode in interpreted raw; do
        flag=()
        [ "$mode" = raw ] && flag=(-r)
        heaptrack "${flag[@]}" -o "$work/$name-$mode" "${command[@]}" > "$name-$mode.out" 2> "$name-$mode.err"
        file=$(ls "$work/$name-$mode".* 2> /dev/null | grep -v '\.out$\|\.err$' | head -1)
        if [ -z "$file" ]; then
            fail "$name: heaptrack wrote no $mode recording"; cat "$name-$mode.err"; continue
        fi
        recordings+=("$file")

        # heaptrack's own view: an interpreted file as it is, a raw one
        # through heaptrack's interpreter (whose stats give the frees)
        if [ "$mode" = raw ]; then
            unpack "$file" | "$interpret" > "$name-raw.interpreted" 2> "$name-raw.stats"
            theirs="$name-raw.interpreted"
            stats="$name-raw.stats"
        else
            theirs="$file"
            stats="$name-$mode.err"
        fi
        printed=$(heaptrack_print -f "$theirs" 2> /dev/null)
        heaptrack_print -f "$theirs" --flamegraph-cost-type peak -F "$name-$mode.peak" > /dev/null 2>&1
        h_allocs=$(sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p' <<< "$printed")
        h_peak_text=$(sed -n 's/^peak heap memory consumption: //p' <<< "$printed")
        h_peak=$(awk '{ s += $NF } END { print s + 0 }' "$name-$mode.peak")
        h_frees=$(awk '/^[ \t]*allocations:/ { a = $2 } /leaked allocations:/ { l = $3 } END { print a - l }' "$stats")
        read -r c_allocs c_frees c_peak <<< "$(count_ops "$file")"

        said=$("$bench" validate "$file" 2> "$name-$mode.validate.err")
        echo "$said"
        m_allocs=$(field malloc "$said")
        m_frees=$(field "free" "$said")
        m_peak=$(sed -n 's/.*peak live \([0-9]*\) bytes.*/\1/p' <<< "$said")
        echo "  heaptrack: $h_allocs allocations, $h_frees frees, peak $h_peak bytes ($h_peak_text);" \
             "counted: $c_allocs, $c_frees, $c_peak"
        [ -n "$m_allocs" ] || { fail "$file: validate printed no counts"; cat "$name-$mode.validate.err"; continue; }
        [ "$m_allocs" = "$h_allocs" ] && [ "$m_allocs" = "$c_allocs" ] || fail "$file: allocations differ"
        [ "$m_frees" = "$h_frees" ] && [ "$m_frees" = "$c_frees" ] || fail "$file: frees differ"
        [ "$m_peak" = "$h_peak" ] && [ "$m_peak" = "$c_peak" ] || fail "$file: peak live bytes differ"
        [ "$(format_bytes "$m_peak")" = "$h_peak_text" ] || fail "$file: peak $(format_bytes "$m_peak") printed $h_peak_text"
        [ "$m_allocs" -gt 100 ] || fail "$file: only $m_allocs allocations recorded"
        if [ "$mode" = interpreted ]; then
            grep -q "lifetimes among blocks of the same call stack and size may be permuted" "$name-$mode.validate.err" ||
                fail "$file: validate did not say that lifetimes may be permuted"
        fi
    done
done

# Replays: clean on every allocator ('all': MeMS's address-ordered fits,
# glibc and each installed real allocator), then on the rest of MeMS's
# policies; each set's rows counted and checked for integrity errors.
allocators=${3:-all}
sets=("$allocators")
if [ "$allocators" = all ]; then
    sets+=("$("$bench" policies | tail -n +5 | paste -sd,)")
fi
for set in "${sets[@]}"; do
    rm -rf "$work/replays"
    if "$bench" replay --quiet --alloc "$set" --out "$work/replays" "${recordings[@]}" > replay.out 2> replay.err; then
        rows=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "integrity_errors") c = i; if ($i == "allocator") a = i } next }
                        { n++; seen[$a] = 1; if ($c != "0") bad++ } END { k = 0; for (x in seen) k++; print n + 0, bad + 0, k }' replays/summary.csv)
        echo "replays on $set (rows, rows with integrity errors, allocators): $rows"
        read -r n bad k <<< "$rows"
        [ "$n" = "$((${#recordings[@]} * k))" ] && [ "$bad" = 0 ] && [ "$k" -ge 4 ] || fail "replays on $set: $rows"
    else
        fail "replay on $set exited non-zero"; tail -5 replay.err
    fi
done

# Refusals, each at its file:line.
refused() { # file, expected stderr text
    if "$bench" validate "$1" > /dev/null 2> refused.err; then
        fail "$1 was accepted"
    elif ! grep -qF -- "$2" refused.err; then
        fail "$1: stderr lacks '$2': $(cat refused.err)"
    fi
}
source_file=${recordings[0]}
unpack "$source_file" > plain.txt
lines=$(wc -l < plain.txt)
# a recording cut short: its compressed stream (a copy of a fraction of it)
size=$(stat -c %s "$source_file")
head -c $((size * 2 / 3)) "$source_file" > cut.zst
"$bench" validate cut.zst 2> cut.err > /dev/null && fail "a cut recording was accepted"
grep -q "^cut.zst:[0-9]*: the compressed stream is truncated or corrupt" cut.err || fail "cut.zst: $(cat cut.err)"
# and its plain text, cut before heaptrack's closing lines
head -n $((lines / 2)) plain.txt > cut.txt
refused cut.txt "cut.txt:$((lines / 2 + 1)): the recording ends before heaptrack's closing"
# a raw recording's text cut inside the pointer of an allocation
raw_file=$(printf '%s\n' "${recordings[@]}" | grep -m1 'raw')
unpack "$raw_file" > raw.txt
read -r at keep <<< "$(awk -v half=$(($(wc -l < raw.txt) / 2)) '
    { bytes += length($0) + 1 } NR > half && /^\+ / { print NR, bytes - 3; exit }' raw.txt)"
head -c "$keep" raw.txt > cutraw.txt
refused cutraw.txt "cutraw.txt:$at: the recording ends inside this line"
# a bad hex field in the first allocation
at=$(grep -n -m1 '^+ ' plain.txt | cut -d: -f1)
sed "${at}s/^+ \([0-9a-f]*\)/+ \1g/" plain.txt > badhex.txt
refused badhex.txt "badhex.txt:$at: bad hex field"
# a free of an allocation index no 'a' line defines
at=$(grep -n -m1 '^- ' plain.txt | cut -d: -f1)
sed "${at}s/^- .*/- fffff/" plain.txt > unknown.txt
refused unknown.txt "unknown.txt:$at: free of info index 0xfffff, which no 'a' line defines"

if [ "$failures" -gt 0 ]; then
    echo "$failures checks failed"
    exit 1
fi
echo "all checks passed on ${#recordings[@]} recordings"
