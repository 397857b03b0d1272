#!/usr/bin/env bash
# The corpus's programs, in one place for the recorder (traces/record.sh) and
# for `mems-bench programs`, so the recorded traces and the programs run on
# each allocator can never drift apart.
#   traces/programs.sh list                      the programs' names, one per line
#   traces/programs.sh needs NAME                the executable NAME needs (for a clear "not installed")
#   traces/programs.sh inputs DIR                makes every input in DIR (deterministic)
#   traces/programs.sh run NAME INPUTS OUT       runs NAME on INPUTS, in OUT: stdout to OUT/stdout, files in OUT
#   traces/programs.sh normalize NAME OUT        removes what differs from run to run whatever the allocator
#   traces/programs.sh record-as NAME            the process whose trace record.sh keeps
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

names="python-json gcc-cc1 gawk-words make-plan perl-pod2text sqlite-queries gs-render groff-man python-threads xz-threads"

make_inputs() {
  local work=$1
  mkdir -p "$work"
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
  # two worker threads make records and their JSON; the main thread merges and
  # frees what they made (so frees cross threads), and prints in a fixed order
  cat > "$work/threads.py" <<'PY'
import json, queue, random, sys, threading
chunks, results = queue.Queue(), queue.Queue()
def work():
    while (chunk := chunks.get()) is not None:
        rng = random.Random(chunk)
        batch = [{"id": chunk * 40 + i, "words": [rng.choice(WORDS) for _ in range(rng.randint(1, 12))],
                  "score": rng.random()} for i in range(40)]
        counts = {}
        for record in batch:
            for w in record["words"]:
                counts[w] = counts.get(w, 0) + 1
        results.put((chunk, counts, json.dumps(batch, sort_keys=True)))
WORDS = open(sys.argv[1], encoding="utf-8").read(30000).split()
workers = [threading.Thread(target=work) for _ in range(int(sys.argv[2]))]
for t in workers:
    t.start()
CHUNKS = 32
for chunk in range(CHUNKS):
    chunks.put(chunk)
for t in workers:
    chunks.put(None)
total, size = {}, 0
for _ in range(CHUNKS):
    chunk, counts, text = results.get()
    for w, c in counts.items():
        total[w] = total.get(w, 0) + c
    size += len(text)
for t in workers:
    t.join()
for w, c in sorted(total.items(), key=lambda x: (-x[1], x[0]))[:40]:
    print(c, w)
print("bytes", size)
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
  # a 24-page PostScript document (text in three fonts, curves, fills) for ghostscript,
  # and a manual page of 160 sections for groff: both from the GPL's words
  python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
rng = random.Random(1998)
words = [w.strip() for w in open("/usr/share/common-licenses/GPL-3", encoding="utf-8").read().split() if w.strip()]
def ps_text(t):
    return t.replace("\\", "").replace("(", "").replace(")", "")
with open(f"{work}/document.ps", "w") as f:
    f.write("%!PS-Adobe-3.0\n%%Pages: 24\n%%EndComments\n")
    for page in range(1, 25):
        f.write(f"%%Page: {page} {page}\n")
        for i in range(rng.randint(8, 20)):
            r, g, b = rng.random(), rng.random(), rng.random()
            x, y = rng.randint(0, 500), rng.randint(0, 700)
            f.write(f"{r:.3f} {g:.3f} {b:.3f} setrgbcolor newpath {x} {y} moveto "
                    f"{rng.randint(0,600)} {rng.randint(0,800)} {rng.randint(0,600)} {rng.randint(0,800)} "
                    f"{rng.randint(0,600)} {rng.randint(0,800)} curveto closepath fill\n")
        f.write("0 setgray\n")
        for line in range(48):
            font = rng.choice(["Times-Roman", "Helvetica", "Courier"])
            size = rng.choice([8, 9, 10, 11, 12, 14])
            text = ps_text(" ".join(rng.choice(words) for _ in range(rng.randint(4, 12))))
            f.write(f"/{font} findfont {size} scalefont setfont 40 {760 - line * 15} moveto ({text}) show\n")
        f.write("showpage\n")
    f.write("%%EOF\n")
with open(f"{work}/manual.1", "w") as f:
    f.write(".TH GPL 1 \"1998\" \"corpus\" \"A manual from the GPL's words\"\n")
    for section in range(160):
        f.write(f".SH SECTION {section}\n")
        for para in range(rng.randint(1, 4)):
            f.write(".PP\n" + " ".join(rng.choice(words).replace("\\", "").lstrip(".'") for _ in range(rng.randint(20, 90))) + "\n")
            if rng.random() < 0.3:
                f.write(".TP\n.B " + rng.choice(words).lstrip(".'") + "\n" + " ".join(rng.choice(words).lstrip(".'") for _ in range(12)) + "\n")
PY
}

needs() {
  case $1 in
    python-json) echo python3 ;; gcc-cc1) echo gcc ;; gawk-words) echo gawk ;; make-plan) echo make ;;
    perl-pod2text) echo pod2text ;; sqlite-queries) echo sqlite3 ;; gs-render) echo gs ;; groff-man) echo groff ;;
    python-threads) echo python3 ;; xz-threads) echo xz ;; *) return 1 ;;
  esac
}

record_as() {
  case $1 in
    python-json) echo python3 ;; gcc-cc1) echo cc1 ;; gawk-words) echo gawk ;; make-plan) echo make ;;
    perl-pod2text) echo pod2text ;; sqlite-queries) echo sqlite3 ;; gs-render) echo gs ;; groff-man) echo troff ;;
    python-threads) echo python3 ;; xz-threads) echo xz ;; *) return 1 ;;
  esac
}

# run NAME INPUTS OUT: the command, its outputs in OUT (which must exist)
run_program() {
  local name=$1 in=$2 out=$3
  cd "$out"
  case $name in
    python-json) exec env PYTHONMALLOC=malloc python3 -m json.tool "$in/records.json" "$out/pretty.json" > stdout ;;
    gcc-cc1) exec gcc -O2 -c "$here/harness/replay/check_pass.c" -I"$here/harness/replay" -I"$here/harness/trace" -I"$here/mems/include" \
                  -D_GNU_SOURCE -o "$out/replay.o" > stdout ;;
    gawk-words) exec gawk '{ for (i = 1; i <= NF; i++) count[tolower($i)]++ } END { for (w in count) print count[w], w }' \
                  "$in/text.txt" > stdout ;;
    make-plan) exec make -n -p -f "$in/project.mk" -C "$in" all > stdout ;;
    perl-pod2text) exec pod2text /usr/share/perl/5.36/pod/perldiag.pod "$out/perldiag.txt" > stdout ;;
    sqlite-queries) rm -f "$out/db.sqlite"; exec sqlite3 "$out/db.sqlite" ".read $in/db.sql" > stdout ;;
    gs-render) exec gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=pgmraw -r96 -sOutputFile="$out/page-%02d.pgm" \
                  "$in/document.ps" > stdout ;;
    groff-man) exec groff -man -Tutf8 "$in/manual.1" > stdout ;;
    python-threads) exec env PYTHONMALLOC=malloc python3 "$in/threads.py" "$in/text.txt" 2 > stdout ;;
    # 1 MiB blocks, so the 2 MB input is two blocks that two threads compress at once
    xz-threads) exec xz -T2 -1 --block-size=1MiB -c "$in/text.txt" > stdout ;;
    *) echo "programs.sh: no program $name" >&2; exit 2 ;;
  esac
}

# make -p prints the time of day, its working folder, the environment (where
# the preload's variables appear) and its hash tables' load, and lists the
# variables in hash order, which the environment's size changes: none of it is
# the program's work, so its lines are compared as a sorted whole
normalize() {
  case $1 in
    make-plan)
      awk '/^# (Make data base, printed on|Finished Make data base on|Load=)/ { next }
           /^PWD = / { next }
           /^# environment$/ { held = $0; next }
           held != "" { if ($0 !~ /^(LD_PRELOAD|MEMS_[A-Z_]+) = /) print held; held = "" ; if ($0 ~ /^(LD_PRELOAD|MEMS_[A-Z_]+) = /) next }
           { print }' "$2/stdout" | LC_ALL=C sort > "$2/stdout.normalized" && mv "$2/stdout.normalized" "$2/stdout" ;;
  esac
}

case ${1:-} in
  normalize) normalize "$2" "$3" ;;
  list) printf '%s\n' $names ;;
  needs) needs "$2" ;;
  record-as) record_as "$2" ;;
  inputs) make_inputs "$2" ;;
  run) run_program "$2" "$3" "$4" ;;
  *) echo "usage: traces/programs.sh list | needs NAME | record-as NAME | inputs DIR | run NAME INPUTS OUT | normalize NAME OUT" >&2; exit 2 ;;
esac
