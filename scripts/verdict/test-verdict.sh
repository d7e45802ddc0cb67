#!/bin/sh
# Unit test of verdict.sh on canned log excerpts in verdict-tests/:
# pass-*.log must be accepted, fail-CLASS-*.log must be rejected with a
# report of CLASS.  Prints a plan, TAP lines and "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/tap.sh"
echo "1..$(find "$here/verdict-tests" -name 'pass-*.log' -o -name 'fail-*.log' | wc -l)"
for f in "$here"/verdict-tests/*.log; do
	n=$(basename "$f" .log)
	out=$(sh "$here/verdict.sh" "$f" 2>&1) && rc=0 || rc=$?
	case $n in
	pass-*)
		ok=0
		[ "$rc" -eq 0 ] && ok=1
		;;
	fail-*)
		class=${n#fail-}
		class=${class%%-*}
		ok=0
		if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q "^verdict: $class"; then
			ok=1
		fi
		;;
	*) continue ;;
	esac
	if [ "$ok" -eq 1 ]; then
		tap_result "verdict/$n" ""
	else
		tap_result "verdict/$n" "exit $rc" "$out"
	fi
done
tap_end verdict
