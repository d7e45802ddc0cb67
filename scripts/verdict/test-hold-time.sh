#!/bin/sh
# Unit test of hold-time-table.sh on canned hold_time outputs: a table of
# two complete runs, a case measured on one kernel only, and with -c the
# comparison of the filesystems the series does not convert (an operation
# that waited on one kernel only fails; on a converted filesystem the
# difference is the series' and does not).  Prints a plan, TAP lines and
# "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# base: xfs fchmod waits on neither 6.12 case; gfs2 fchmod waits for the
# sync read only.  patched: xfs fchmod waits for the async read (the
# series); gfs2 as on 6.12, or (gfs2-differs) waits for the async read too.
cat >"$tmp/base" <<'X'
# hold: xfs fchmod aread-libaio 0.3
# hold: xfs fchmod sread 101.2
# hold: gfs2 fchmod aread-libaio 1.1
# hold: gfs2 fchmod sread 98.0
X
cat >"$tmp/patched" <<'X'
# hold: xfs fchmod aread-libaio 100.9
# hold: xfs fchmod sread 101.0
# hold: gfs2 fchmod aread-libaio 2.0
# hold: gfs2 fchmod sread 99.5
X
sed 's/gfs2 fchmod aread-libaio 2.0/gfs2 fchmod aread-libaio 99.7/' "$tmp/patched" \
	>"$tmp/gfs2-differs"
grep -v 'gfs2 fchmod sread' "$tmp/patched" >"$tmp/missing"

# case NAME WANT_RC EXPECT_STDERR ARGS...
case_() {
	n=$1 want=$2 expect=$3
	shift 3
	rc=0
	sh "$here/hold-time-table.sh" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	why=
	if [ "$rc" != "$want" ]; then
		why="exit $rc, expected $want"
	elif [ -n "$expect" ] && ! grep -qF "$expect" "$tmp/err"; then
		why="standard error lacks '$expect'"
	elif [ "$n" != differs-not-compared ] && [ "$want" = 0 ] && ! grep -qF '| gfs2 | fchmod | 1.1 / 2.0 | 98.0 / 99.5 |' "$tmp/out"; then
		why="table lacks the gfs2 row"
	fi
	tap_result "hold-time-table/$n" "$why" "$(cat "$tmp/out" "$tmp/err")"
}

echo 1..5
case_ table 0 "" "$tmp/base" "$tmp/patched"
case_ compare-same 0 "" -c 100 "$tmp/base" "$tmp/patched"
case_ compare-differs 1 "gfs2/fchmod-aread-libaio (1.1 / 99.7 ms)" \
	-c 100 "$tmp/base" "$tmp/gfs2-differs"
case_ differs-not-compared 0 "" "$tmp/base" "$tmp/gfs2-differs"
case_ missing 1 "measured on one kernel only: gfs2/fchmod-sread (baseline)" \
	"$tmp/base" "$tmp/missing"
tap_end hold-time-table
