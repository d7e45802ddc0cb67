#!/bin/sh
# The result of each test in what fstests' ./check printed.
#
#   fstests-parse.sh CHECK_OUT
#
# Prints one line per test that finished:
#   TEST pass SECONDS
#   TEST notrun 0 REASON
#   TEST fail SECONDS REASON
# and "start TEST" for a test that started and has no result (the guest
# died, hung or was killed during it; "aiolock: no progress ..." after it,
# written by scripts/guest/fstests-guest.sh, becomes its fail reason).
# ./check prints a test's name when it starts and the rest of the line when
# it ends: the time (pass), "[not run] why", "[expunged]", or what failed
# ("- output mismatch", "[failed, exit status N]", "_check_dmesg: ...",
# "_check_xfs_filesystem: ..."), with a diff excerpt on indented lines.
# When ./check got to its summary, the "Failures:" and "Not run:" lists
# must agree with the lines: exit 2 if they do not, or if a line cannot
# be read; 0 otherwise.
#
#   fstests-parse.sh -u TEST CHECK_OUT
#
# prints only the lines up to TEST's, as when lock debugging went off
# during TEST and the tests after it must run again; "-u -" prints none.
set -eu
usage() { echo "usage: fstests-parse.sh [-u TEST|-] CHECK_OUT" >&2; exit 2; }
upto=
if [ "${1:-}" = -u ]; then
	[ $# -eq 3 ] || usage
	upto=$2
	shift 2
fi
[ $# -eq 1 ] || usage

awk '
function flush_unfinished() {
	if (cur != "")
		print "start " cur
	cur = ""
}
/^[a-z0-9]+\/[0-9]+/ {
	flush_unfinished()
	name = $1
	rest = substr($0, length(name) + 1)
	gsub(/^[ \t]+|[ \t]+$/, "", rest)
	# Started, not finished: nothing yet, or only the last run time.
	if (rest == "" || rest ~ /^[0-9]+s \.\.\.$/) {
		cur = name
		next
	}
	if (rest ~ /\[not run\]/) {
		sub(/.*\[not run\][ \t]*/, "", rest)
		print name, "notrun", 0, (rest == "" ? "-" : rest)
		notrun[name] = 1
		next
	}
	if (rest ~ /^\[expunged\]/) {
		print name, "notrun", 0, "expunged"
		notrun[name] = 1
		next
	}
	# "Ns ... " (the last run'"'"'s time), then this run'"'"'s "Ns" unless
	# it failed, then the message.
	secs = 0
	msg = rest
	sub(/^[0-9]+s \.\.\.[ \t]*/, "", msg)
	if (match(msg, /^[0-9]+s/)) {
		secs = substr(msg, 1, RLENGTH - 1) + 0
		msg = substr(msg, RLENGTH + 1)
		gsub(/^[ \t]+/, "", msg)
	}
	if (msg == "") {
		print name, "pass", secs
		passed[name] = 1
		next
	}
	print name, "fail", secs, msg
	failed[name] = 1
	next
}
/^aiolock: no progress/ {
	if (cur != "") {
		print cur, "fail", 0, substr($0, 10)
		failed[cur] = 1
		cur = ""
	}
	next
}
/^Failures: / {
	for (i = 2; i <= NF; i++)
		if (!($i in failed)) {
			printf "fstests-parse: %s is in Failures: but was not read as failed\n", $i > "/dev/stderr"
			bad = 1
		}
	next
}
/^Not run: / {
	for (i = 3; i <= NF; i++)
		if (!($i in notrun)) {
			printf "fstests-parse: %s is in Not run: but was not read as not run\n", $i > "/dev/stderr"
			bad = 1
		}
	next
}
END {
	flush_unfinished()
	exit bad ? 2 : 0
}' "$1" >"${TMPDIR:-/tmp}/fstests-parse.$$" || rc=$?
# The lines up to TEST's.
awk -v upto="$upto" '
	upto == "-" { exit }
	upto != "" && cut { exit }
	{ print }
	upto != "" && ($1 == upto || ($1 == "start" && $2 == upto)) { cut = 1 }
' "${TMPDIR:-/tmp}/fstests-parse.$$"
rm -f "${TMPDIR:-/tmp}/fstests-parse.$$"
exit "${rc:-0}"
