#!/bin/sh
# Unit test of hold-time-table.sh on canned hold_time outputs: a table of
# two complete runs, a case measured on one kernel only, and with -c the
# comparison of the filesystems the series does not convert by each
# measurement's class (W waited, N did not, X the I/O had completed, A
# ambiguous): a class that differs fails (also X against W, A against N),
# and so do a missing class and an unknown one; A on both kernels is not
# compared; on a converted filesystem (xfs*, ext4*, ext2) a difference is
# the series' and does not fail; a malformed line fails.  Prints a plan,
# TAP lines and "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# base: on XFS fchmod waits for neither async read on 6.12; on f2fs it
# waits for a synchronous write only.  patched: XFS fchmod waits for the
# async read (the series); f2fs as on 6.12.
cat >"$tmp/base" <<'X'
# hold: xfs fchmod aread-libaio 0.3
# hold: xfs fchmod swrite 101.2
# hold: ext4-x fchmod aread-libaio 0.4
# hold: f2fs fchmod aread-libaio 1.1 N
# hold: f2fs fchmod swrite 98.0 W
# hold: f2fs link swrite 2.0 A
# hold: f2fs link sread 0.3 N
X
cat >"$tmp/patched" <<'X'
# hold: xfs fchmod aread-libaio 100.9
# hold: xfs fchmod swrite 101.0
# hold: ext4-x fchmod aread-libaio 99.0
# hold: f2fs fchmod aread-libaio 2.0 N
# hold: f2fs fchmod swrite 67.5 W
# hold: f2fs link swrite 99.0 A
# hold: f2fs link sread 0.4 N
X
sed 's/f2fs fchmod aread-libaio 2.0 N/f2fs fchmod aread-libaio 99.7 W/' "$tmp/patched" \
	>"$tmp/differs"
sed 's/f2fs fchmod swrite 67.5 W/f2fs fchmod swrite 67.5/' "$tmp/patched" >"$tmp/noclass"
grep -v 'f2fs fchmod swrite' "$tmp/patched" >"$tmp/missing"
sed 's/f2fs link sread 0.4 N/f2fs link sread 0.4 X/' "$tmp/patched" >"$tmp/x-n"
sed 's/f2fs link sread 0.4 N/f2fs link sread 0.4 A/' "$tmp/patched" >"$tmp/a-n"
sed 's/f2fs link sread 0.4 N/f2fs link sread 0.4 Q/' "$tmp/patched" >"$tmp/unknown"
sed 's/f2fs link sread 0.4 N/f2fs link sread 0.4 N extra/' "$tmp/patched" >"$tmp/malformed"

# case_ NAME WANT_RC EXPECT_STDERR ARGS...
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
	elif [ "$n" = table ] &&
		! grep -qF '| f2fs | fchmod | 1.1 / 2.0 | 98.0 / 67.5 |' "$tmp/out"; then
		why="table lacks the f2fs row"
	fi
	tap_result "hold-time-table/$n" "$why" "$(cat "$tmp/out" "$tmp/err")"
}

echo 1..10
case_ table 0 "" "$tmp/base" "$tmp/patched"
case_ compare-same 0 "1 case(s) of an unconverted filesystem not compared" \
	-c "$tmp/base" "$tmp/patched"
case_ compare-differs 1 "f2fs/fchmod-aread-libaio (1.1 N / 99.7 W)" \
	-c "$tmp/base" "$tmp/differs"
case_ compare-no-class 1 "f2fs/fchmod-swrite (98.0 W / 67.5 )" \
	-c "$tmp/base" "$tmp/noclass"
case_ compare-x-against-n 1 "f2fs/link-sread (0.3 N / 0.4 X)" \
	-c "$tmp/base" "$tmp/x-n"
case_ compare-a-against-n 1 "f2fs/link-sread (0.3 N / 0.4 A)" \
	-c "$tmp/base" "$tmp/a-n"
case_ compare-unknown-class 1 "f2fs/link-sread (0.3 N / 0.4 Q)" \
	-c "$tmp/base" "$tmp/unknown"
case_ malformed-line 1 "malformed line: # hold: f2fs link sread 0.4 N extra" \
	"$tmp/base" "$tmp/malformed"
case_ differs-not-compared 0 "" "$tmp/base" "$tmp/differs"
case_ missing 1 "measured on one kernel only: f2fs/fchmod-swrite (baseline)" \
	"$tmp/base" "$tmp/missing"
tap_end hold-time-table
