#!/usr/bin/env bash
# The help of one command, and its parser against it:
#   check_help.sh PROGRAM [SUBCOMMAND]
# --help and -h print the same usage on stdout, nothing on stderr, exit 0;
# every option the help names has a description and is one the parser knows
# (an option without a value refuses one, an option with a value demands it,
# an optional value given empty is refused by name), and an unknown option is
# refused by name. Since the help is printed from the table the parser reads,
# an option the parser takes but the help leaves out cannot be written; an
# option named with no description, or documented but not parsed, fails here.
set -u
program=$1
shift
command=("$program" "$@")
name="${command[*]##*/}"
failed=0
fail() { echo "FAILED ($name): $*"; failed=1; }

help=$("${command[@]}" --help 2> stderr.$$); rc=$?
[ $rc -eq 0 ] || fail "--help: exit $rc"
[ -s stderr.$$ ] && fail "--help wrote on stderr: $(cat stderr.$$)"
[[ "$help" == usage:* ]] || fail "--help does not start with 'usage:'"
short=$("${command[@]}" -h 2> /dev/null); rc=$?
[ $rc -eq 0 ] && [ "$short" = "$help" ] || fail "-h: exit $rc, or an output other than --help's"
rm -f stderr.$$

# "  -a, --alloc LIST   text", "      --stats[=FILE]   text", "  --quiet  text"
options=$(printf '%s\n' "$help" | sed -n -E 's/^  (-[a-zA-Z], |    )(--[a-z][a-z0-9-]*)((\[=[A-Z]+\])| [A-Z][A-Z,.N]*)?( +(.*))?$/\2|\3|\6/p')
[ -n "$options" ] || fail "the help names no option"
count=0
while IFS='|' read -r flag value text; do
  count=$((count + 1))
  [ -n "$text" ] || fail "$flag has no description on its line"
  [ "$flag" = --help ] && continue
  case "$value" in
    "") probe=("$flag=x") want="$flag takes no value" ;;
    "[="*) probe=("$flag=") want="$flag" ;;
    *) probe=("$flag") want="$flag needs a value" ;;
  esac
  out=$("${command[@]}" "${probe[@]}" 2>&1 < /dev/null); rc=$?
  [ $rc -eq 2 ] || fail "${probe[*]}: exit $rc, expected 2 (a refusal before any work)"
  [[ "$out" == *"$want"* ]] || fail "${probe[*]}: the refusal does not say '$want': $out"
  [[ "$out" == *"unknown option"* ]] && fail "$flag is in the help but the parser does not know it"
done <<< "$options"
dups=$(printf '%s\n' "$options" | cut -d'|' -f1 | sort | uniq -d)
[ -z "$dups" ] || fail "options named twice in the help: $dups"

out=$("${command[@]}" --no-such-option 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"unknown option '--no-such-option'"* ]] ||
  fail "--no-such-option: exit $rc: $out"

[ $failed -eq 0 ] && echo "$name: --help and -h alike, $count options each described and known to the parser"
exit $failed
