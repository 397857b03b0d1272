#!/usr/bin/env bash
# One test of the malloc face: run_face_test.sh CASE MEMS_RUN LIBRARY FACE_PROGRAM WORK
# Each program runs on glibc, then under every MeMS policy through mems-run
# with MEMS_CHECK=1; its output (and files it writes) must be byte-identical.
# Exit 77 (skipped) when the program the case needs is not installed.
set -u
case_name=$1 mems_run=$2 library=$3 face_program=$4 work=$5
mkdir -p "$work" && cd "$work" || exit 1
policies="first next best worst"
failed=0

need() { command -v "$1" >/dev/null 2>&1 || { echo "skipped: $1 is not installed"; exit 77; }; }
fail() { echo "FAILED: $*"; failed=1; }

# same_everywhere NAME OUTPUT-FILES -- COMMAND...: glibc's run, then each policy's, compared.
same_everywhere() {
  local name=$1 files=$2; shift 3
  rm -rf ref && mkdir ref
  (cd ref && "$@" > stdout 2> stderr) || fail "$name on glibc: exit $?"
  for p in $policies; do
    rm -rf "$p" && mkdir "$p"
    (cd "$p" && "$mems_run" --policy "$p" --check -- "$@" > stdout 2> stderr)
    local rc=$?
    [ $rc -eq 0 ] || { fail "$name on mems-$p: exit $rc"; cat "$p/stderr"; }
    for f in stdout $files; do
      cmp -s "ref/$f" "$p/$f" || fail "$name on mems-$p: $f differs from glibc's"
    done
  done
  [ $failed -eq 0 ] && echo "$name: identical on glibc and mems-{$policies}"
}

case "$case_name" in
face)
  same_everywhere face_program "" -- "$face_program"
  grep -q "all checks held" ref/stdout || fail "face_program did not pass on glibc"
  ;;
python)
  need python3
  same_everywhere python "" -- env PYTHONMALLOC=malloc python3 -c '
import json, sqlite3
rows = [{"id": i, "name": "n%d" % (i * 7919 % 10007), "tags": [str(j) for j in range(i % 9)]} for i in range(20000)]
text = json.dumps(rows, sort_keys=True)
back = json.loads(text)
db = sqlite3.connect(":memory:")
db.execute("create table t(id integer primary key, name text, tags text)")
db.executemany("insert into t values(?,?,?)", [(r["id"], r["name"], json.dumps(r["tags"])) for r in back])
db.execute("create index t_name on t(name)")
print(len(text), db.execute("select count(*), sum(length(tags)), min(name), max(name) from t").fetchone())
print(db.execute("select name, count(*) from t group by name order by 2 desc, 1 limit 3").fetchall())'
  ;;
perl)
  need perl
  same_everywhere perl "" -- perl -e '
my %h; for my $i (1..60000) { $h{"k$i"} = [map { $_ * $i } 1..($i % 40)]; delete $h{"k" . ($i - 7)} if $i % 3 == 0 }
my $sum = 0; $sum += scalar(@{$h{$_}}) for keys %h; my $s = join(",", map { sprintf("%x", $_) } 1..20000);
print scalar(keys %h), " $sum ", length($s), "\n";'
  ;;
gcc)
  need gcc
  printf '#include <stdio.h>\nstruct s { int a[64]; };\nstatic int f(struct s *x, int n) { int t = 0; for (int i = 0; i < n; i++) t += x->a[i %% 64] * i; return t; }\nint main(void) { struct s x = {{1}}; printf("%%d\\n", f(&x, 1000)); return 0; }\n' > prog.c
  # cc1 and as are exec'd by gcc: they inherit the preload
  same_everywhere gcc prog.o -- gcc -O2 -c "$work/prog.c" -o prog.o
  ;;
sort)
  need sort
  seq 1 300000 | awk '{ print ($1 * 7919) % 300007 }' > numbers.txt
  same_everywhere sort "" -- sort --parallel=2 -S 2M -n "$work/numbers.txt"
  ;;
shell)
  need bash
  same_everywhere shell "" -- bash -c 'for i in $(seq 1 40); do echo "$i" | tr 0-9 a-j | rev; done | sort | uniq -c | head -5; (sleep 0 &); wait'
  ;;
bad_settings)
  check_refused() { # VAR=VALUE EXPECTED-TEXT
    local out; out=$(env "$1" LD_PRELOAD="$library" /bin/true 2>&1); local rc=$?
    [ $rc -eq 2 ] || fail "$1: exit $rc, expected 2"
    case "$out" in *"$2"*) ;; *) fail "$1: message '$out' does not say '$2'";; esac
  }
  check_refused MEMS_POLICY=fastest "MEMS_POLICY=fastest: expected one of first next best worst first-lifo"
  check_refused MEMS_ALIGN=24 "MEMS_ALIGN=24: expected a power of two"
  check_refused MEMS_ALIGN=8 "MEMS_ALIGN=8: expected a power of two from 16 to"
  check_refused MEMS_ALIGN=3 "MEMS_ALIGN=3: expected a power of two from 16 to"
  check_refused MEMS_MIN_PAGES=0 "MEMS_MIN_PAGES=0: expected a whole number from 1"
  check_refused MEMS_MIN_PAGES=12x "MEMS_MIN_PAGES=12x"
  check_refused MEMS_RELEASE=yes "MEMS_RELEASE=yes: expected 0 or 1"
  check_refused MEMS_CHECK=2 "MEMS_CHECK=2: expected 0 or 1"
  check_refused MEMS_ON_ERROR=warn "MEMS_ON_ERROR=warn: expected abort or ignore"
  out=$("$mems_run" --policy fastest -- /bin/true 2>&1); rc=$?
  [ $rc -eq 2 ] && [[ "$out" == *"--policy takes first, next, "*", not 'fastest'"* ]] || fail "mems-run --policy fastest: exit $rc: $out"
  out=$("$mems_run" -- /nonexistent/program 2>&1); rc=$?
  [ $rc -eq 127 ] && [[ "$out" == *"cannot run /nonexistent/program"* ]] || fail "mems-run of a missing program: exit $rc: $out"
  out=$("$mems_run" --stats=stats.txt --policy best -- /bin/true 2>&1); rc=$?
  [ $rc -eq 0 ] && grep -q "policy best" stats.txt || fail "mems-run --stats=FILE wrote no stats"
  [ $failed -eq 0 ] && echo "bad settings: every one refused with its name and what was expected"
  ;;
bad_free)
  out=$(LD_PRELOAD="$library" "$face_program" misuse 2>&1); rc=$?
  [ $rc -eq 134 ] || fail "a free inside a block: exit $rc, expected 134 (abort)"
  [[ "$out" == *"free("*"invalid pointer"* ]] || fail "no line naming the bad free: $out"
  out=$(MEMS_ON_ERROR=ignore MEMS_STATS=1 LD_PRELOAD="$library" "$face_program" misuse 2>&1); rc=$?
  [ $rc -eq 0 ] && [[ "$out" == *"misuse: still running"* ]] && [[ "$out" == *"2 bad frees"* ]] ||
    fail "MEMS_ON_ERROR=ignore: exit $rc, output: $out"
  [ $failed -eq 0 ] && echo "bad free: abort with a line by default, counted (2) with MEMS_ON_ERROR=ignore"
  ;;
cli)
  # --help, -h and every option of mems-run, as for every command of the project
  bash "$(dirname "$0")/../harness/check_help.sh" "$mems_run" || failed=1
  refused() { # EXPECTED-TEXT ARGS...
    local want=$1; shift
    out=$("$mems_run" "$@" 2>&1); rc=$?
    [ $rc -eq 2 ] && [[ "$out" == *"$want"* ]] || fail "mems-run $*: exit $rc, expected 2 and '$want': $out"
  }
  refused "--align takes a power of two from 16 (malloc's alignment) to" --align 3 -- /bin/true
  refused "--align takes a power of two from 16" --align 8 -- /bin/true
  refused "--min-pages takes a whole number from 1 to 1048576, not '0'" --min-pages 0 -- /bin/true
  refused "--min-pages takes a whole number from 1 to 1048576, not '2x'" --min-pages 2x -- /bin/true
  refused "--stats= needs a file name" --stats= -- /bin/true
  refused "no command to run given" --policy best
  # ls closes its stderr before exit; the line still comes, on the stderr it started with, naming it
  need ls
  out=$("$mems_run" --stats -- ls / 2>&1 > /dev/null); rc=$?
  [ $rc -eq 0 ] && [[ "$out" == "libmems_malloc: ls["[0-9]*"]: policy first, "* ]] ||
    fail "mems-run --stats -- ls: exit $rc, no stats line naming ls and its pid: '$out'"
  # one line per process, each with its own pid
  rm -f stats.txt
  "$mems_run" --stats=stats.txt -- bash -c '/bin/ls > /dev/null; /bin/ls > /dev/null; true' || fail "bash under mems-run"
  pids=$(sed -n -E 's/^libmems_malloc: ls\[([0-9]+)\]: policy first, .*/\1/p' stats.txt | sort -u | wc -l)
  [ "$pids" -eq 2 ] && grep -q "^libmems_malloc: bash\[" stats.txt ||
    fail "--stats=FILE: expected lines of bash and of two ls with two pids: $(cat stats.txt)"
  [ $failed -eq 0 ] && echo "mems-run: every option described and checked; --stats outlives a closed stderr, one line per process"
  ;;
*) echo "unknown case $case_name"; exit 2 ;;
esac
exit $failed
