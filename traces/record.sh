#!/usr/bin/env bash
# Re-records the corpus in traces/corpus/ on a Debian 12 machine: six real
# programs from Debian packages, each on a real input, through mems-trace.
#   traces/record.sh [BUILD_DIR]
# Inputs are made here, deterministically; only the traces are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tool="$build/recorder/mems-trace"
out=traces/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq --no-install-recommends python3 gcc gawk make perl sqlite3 >/dev/null
fi
[ -x "$tool" ] || { cmake -S . -B "$build" >/dev/null && cmake --build "$build" -j"$(nproc)" >/dev/null; }
mkdir -p "$out"

# record NAME KEEP-PROGRAM COMMAND...: records COMMAND, keeps the trace of the
# process named KEEP-PROGRAM (the largest if there are several) as NAME.trace.gz
record() {
  local name=$1 keep=$2; shift 2
  rm -rf "$work/rec"
  "$tool" record -o "$work/rec" -- "$@" >/dev/null
  local best
  best=$(ls -S "$work/rec/$keep".*.trace.gz | head -n 1)
  cp "$best" "$out/$name.trace.gz"
  echo "record.sh: $name <- $(basename "$best")" >&2
}

# inputs
python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
rng = random.Random(1995)
words = [w.strip() for w in open("/usr/share/common-licenses/GPL-3", encoding="utf-8").read().split() if w.strip()]
records = [{"id": i, "name": " ".join(rng.choice(words) for _ in range(rng.randint(1, 6))),
            "tags": [rng.choice(words) for _ in range(rng.randint(0, 8))],
            "score": rng.random(), "nested": {"a": list(range(rng.randint(0, 12))), "b": None}}
           for i in range(12000)]
json.dump(records, open(f"{work}/records.json", "w"))
with open(f"{work}/text.txt", "w") as f:
    for _ in range(60):
        f.write(open("/usr/share/common-licenses/GPL-3", encoding="utf-8").read())
with open(f"{work}/db.sql", "w") as f:
    f.write("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, tag TEXT);\nBEGIN;\n")
    for i in range(30000):
        f.write(f"INSERT INTO t(name, score, tag) VALUES('{rng.choice(words).replace(chr(39), '')}{i}', {rng.random()}, '{rng.choice(words).replace(chr(39), '')}');\n")
    f.write("COMMIT;\nCREATE INDEX t_tag ON t(tag);\n")
    f.write("SELECT tag, count(*), avg(score) FROM t GROUP BY tag ORDER BY 2 DESC LIMIT 20;\n")
    f.write("SELECT a.name, b.name FROM t a JOIN t b ON a.tag = b.tag AND a.id < b.id WHERE a.id < 300 LIMIT 2000;\n")
    f.write("UPDATE t SET score = score * 2 WHERE id % 3 = 0;\nDELETE FROM t WHERE id % 5 = 0;\nVACUUM;\n")
PY
# a Makefile of a project with 1500 sources in 30 libraries (make only plans it: -n)
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
with open(f"{work}/project.mk", "w") as f:
    f.write("CC = cc\nCFLAGS = -O2 -Wall\nLIBS := $(foreach i,$(shell seq 0 29),lib$(i).a)\nall: app\n")
    for lib in range(30):
        srcs = " ".join(f"src/l{lib}/f{n}.c" for n in range(50))
        f.write(f"SRCS_{lib} := {srcs}\nOBJS_{lib} := $(SRCS_{lib}:.c=.o)\n")
        f.write(f"lib{lib}.a: $(OBJS_{lib})\n\t$(AR) rcs $@ $^\n")
    f.write("app: $(LIBS)\n\t$(CC) -o $@ main.c $(LIBS)\n")
    f.write("%.o: %.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n")
    f.write("src/%.c:\n\t@echo generate $@\n")
PY

record python-json python3 env PYTHONMALLOC=malloc python3 -m json.tool "$work/records.json" "$work/pretty.json"
record gcc-cc1 cc1 gcc -O2 -c harness/replay/check_pass.c -Iharness/replay -Iharness/trace -Imems/include -D_GNU_SOURCE -o "$work/replay.o"
record gawk-words gawk gawk '{ for (i = 1; i <= NF; i++) count[tolower($i)]++ } END { for (w in count) print count[w], w }' "$work/text.txt"
record make-plan make make -n -p -f "$work/project.mk" -C "$work" all
record perl-pod2text pod2text pod2text /usr/share/perl/5.36/pod/perldiag.pod "$work/perldiag.txt"
record sqlite-queries sqlite3 sqlite3 "$work/db.sqlite" ".read $work/db.sql"
echo "record.sh: traces in $out; 'mems-trace stat' each for traces/README.md" >&2
