#!/bin/sh
# Unit test of tap-count.sh on canned runs in tap-tests/: each file starts
# with "# args: OPTIONS" (tap-count.sh's options for it), then for pass-*
# "# counts: N passed, N failed, N skipped" (what must be counted) and for
# fail-* "# expect: TEXT" (a problem that must be reported).  pass-*.tap
# must be accepted, fail-*.tap rejected.  Prints a plan, TAP lines and
# "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/tap.sh"
echo "1..$(find "$here/tap-tests" -name '*.tap' | wc -l)"
for f in "$here"/tap-tests/*.tap; do
	n=$(basename "$f" .tap)
	args=$(sed -n 's/^# args: //p' "$f")
	# shellcheck disable=SC2086 # options, split on purpose
	out=$(sh "$here/tap-count.sh" $args "$f" 2>&1) && rc=0 || rc=$?
	ok=0
	case $n in
	pass-*)
		want=$(sed -n 's/^# counts: //p' "$f")
		if [ "$rc" -eq 0 ] && [ -n "$want" ] &&
			[ "$(printf '%s\n' "$out" | tail -n 1)" = "tap-count: $want" ]; then
			ok=1
		fi
		;;
	fail-*)
		want=$(sed -n 's/^# expect: //p' "$f")
		if [ "$rc" -eq 1 ] && [ -n "$want" ] &&
			printf '%s\n' "$out" | grep -F "tap-count: $f: " | grep -qF "$want"; then
			ok=1
		fi
		;;
	esac
	if [ "$ok" -eq 1 ]; then
		tap_result "tap-count/$n" ""
	else
		tap_result "tap-count/$n" "exit $rc" "$out"
	fi
done
tap_end tap-count
