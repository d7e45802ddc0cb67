#!/bin/sh
# Count the TAP results of one run and check that the run is complete.
#
#   tap-count.sh [-p] [-s] [-r STATUS] FILE
#
# Result lines: "ok - NAME", "ok - NAME # SKIP why", "not ok - NAME: why".
# A skip is counted as skipped, never as passed.
#
#   -p  the run must have printed its plan before any result: "1..N",
#       optionally followed by "# plan: NAME" lines naming the N cases.
#       With names, every planned case must report exactly once and no
#       passing result may be unplanned (a failing one may: a driver adds
#       "not ok" lines of its own); without names, exactly N results.
#   -s  the run must end with its own count, "# summary: N ok, N not ok,
#       N skipped", equal to the count here.
#   -r STATUS  the run's exit status: 0 if no case failed, 1 otherwise
#       (124: timed out, 125: guest died, anything else: broken driver).
#
# Prints the failing result lines prefixed with "# ", one line per problem
# ("tap-count: FILE: ..."), and last "tap-count: N passed, N failed,
# N skipped".  Exits 1 if the run is incomplete or inconsistent, 2 on
# usage errors.
set -eu
plan=0
summary=0
status=
usage() {
	sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while getopts psr: opt; do
	case $opt in
	p) plan=1 ;;
	s) summary=1 ;;
	r) status=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
f=$1
case $status in
'' | *[!0-9]*) [ -z "$status" ] || usage ;;
esac

if [ ! -s "$f" ]; then
	echo "tap-count: $f: no output"
	echo "tap-count: 0 passed, 0 failed, 0 skipped"
	exit 1
fi

awk -v file="$f" -v want_plan="$plan" -v want_summary="$summary" \
	-v status="$status" '
function problem(msg) {
	printf "tap-count: %s: %s\n", file, msg
	bad = 1
}
# NAME of "ok - NAME # SKIP ..." or "not ok - NAME: reason"
function name_of(l) {
	sub(/^(not )?ok - /, "", l)
	sub(/ # .*/, "", l)
	sub(/: .*/, "", l)
	return l
}
BEGIN { bad = 0; p = 0; f = 0; s = 0; nplan = -1; nnames = 0; nres = 0 }
/^1\.\.[0-9]+$/ {
	if (nplan >= 0)
		problem("second plan line at line " NR)
	else if (nres > 0)
		problem("plan at line " NR " after the first result")
	else
		nplan = substr($0, 4) + 0
	next
}
/^# plan: / {
	n = substr($0, 9)
	if (n in planned)
		problem("case planned twice: " n)
	planned[n] = 1
	nnames++
	next
}
/^# summary: / { last_summary = $0; next }
/^(not )?ok / {
	nres++
	n = name_of($0)
	if ($0 ~ /^not ok /) {
		f++
		print "# " $0
	} else if ($0 ~ / # SKIP/) {
		s++
	} else {
		p++
	}
	seen[n]++
	if (seen[n] == 2)
		problem("more than one result for " n)
	if (nnames > 0 && !(n in planned) && $0 !~ /^not ok /)
		problem("unplanned result: " $0)
	next
}
END {
	if (want_plan) {
		if (nplan < 0)
			problem("no plan (1..N) before the results")
		else if (nnames > 0 && nnames != nplan)
			problem("plan 1.." nplan " names " nnames " cases")
		else if (nnames > 0) {
			miss = 0
			for (n in planned)
				if (!(n in seen)) {
					if (miss < 10)
						problem("planned case did not report: " n)
					miss++
				}
			if (miss > 10)
				problem("... and " miss - 10 " more planned cases did not report")
			if (miss > 0)
				problem(miss " of " nplan " planned cases did not report")
		} else if (nres != nplan)
			problem(nres " results for plan 1.." nplan)
	}
	if (want_summary) {
		want = sprintf("# summary: %d ok, %d not ok, %d skipped", p, f, s)
		if (last_summary == "")
			problem("no closing summary: the run did not finish")
		else if (last_summary != want)
			problem("closing \"" last_summary "\" does not match the results (" p " ok, " f " not ok, " s " skipped)")
	}
	if (status != "") {
		if (status == 124)
			problem("timed out (status 124)")
		else if (status == 125)
			problem("the guest died before the command finished (status 125)")
		else if (status != 0 && status != 1)
			problem("exit status " status ", not 0 or 1")
		else if (status == 0 && f > 0)
			problem("exit status 0 with " f " failed case(s)")
		else if (status == 1 && f == 0)
			problem("exit status 1 without a failed case")
	}
	printf "tap-count: %d passed, %d failed, %d skipped\n", p, f, s
	exit bad
}' "$f"
