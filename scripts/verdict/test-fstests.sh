#!/bin/sh
# Unit test of fstests-parse.sh and fstests-report.sh on made-up runs:
# every kind of ./check line must be read as the right result, a summary
# that disagrees with the lines must be an error, and the report must
# exit 0 with nothing but "No difference" for runs that differ only in
# ways that are not the series' (both fail, flaky on both, baseline-only
# failures and reports), and 1 naming the test for each kind of
# difference (patched-only failure, patched-only not run, a kernel report
# class only the patched kernel printed, a missing result).  Prints TAP
# lines and "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..8"

# --- fstests-parse.sh
cat >"$tmp/check.out" <<'EOF'
FSTYP         -- xfs (debug)
MKFS_OPTIONS  -- -f /dev/ubdc

generic/001 5s ...  4s
generic/002       [not run] this test requires a valid $SCRATCH_LOGDEV
generic/003 3s ... - output mismatch (see /r/generic/003.out.bad)
    --- tests/generic/003.out	2024-11-17 00:00:00
    +++ /r/generic/003.out.bad	2026-11-29 00:00:00
generic/004 12s ...  13s _check_dmesg: something found (see /r/generic/004.dmesg)
generic/005       [expunged]
generic/006        7s
xfs/007 9s ... [failed, exit status 1]- output mismatch (see /r/xfs/007.out.bad)
Ran: generic/001 generic/002 generic/003 generic/004 generic/006 xfs/007
Not run: generic/002
Failures: generic/003 generic/004 xfs/007
Failed 3 of 6 tests
generic/008 2s ... 
aiolock: no progress for 1800 s, killed
generic/009 
EOF
cat >"$tmp/want" <<'EOF'
generic/001 pass 4
generic/002 notrun 0 this test requires a valid $SCRATCH_LOGDEV
generic/003 fail 0 - output mismatch (see /r/generic/003.out.bad)
generic/004 fail 13 _check_dmesg: something found (see /r/generic/004.dmesg)
generic/005 notrun 0 expunged
generic/006 pass 7
xfs/007 fail 0 [failed, exit status 1]- output mismatch (see /r/xfs/007.out.bad)
generic/008 fail 0 no progress for 1800 s, killed
start generic/009
EOF
out=$(sh "$here/fstests-parse.sh" "$tmp/check.out" 2>&1) && rc=0 || rc=$?
if [ "$rc" = 0 ] && [ "$out" = "$(cat "$tmp/want")" ]; then
	tap_result parse/every-kind-of-line ""
else
	tap_result parse/every-kind-of-line "exit $rc, or not what was expected" \
		"$(printf '%s\n' "$out" | diff "$tmp/want" - || true)"
fi
# A test ./check calls failed but whose line reads as a pass.
printf 'generic/001        5s\nFailures: generic/001\n' >"$tmp/bad.out"
out=$(sh "$here/fstests-parse.sh" "$tmp/bad.out" 2>&1) && rc=0 || rc=$?
if [ "$rc" = 2 ] && printf '%s\n' "$out" | grep -q 'generic/001 is in Failures:'; then
	tap_result parse/summary-disagrees ""
else
	tap_result parse/summary-disagrees "exit $rc (want 2 and a message)" "$out"
fi

# --- fstests-report.sh
# mkrun DIR: a run of one configuration where the kernels differ only in
# ways that are not differences.
mkrun() {
	mkdir -p "$1/xfs/baseline" "$1/xfs/patched" "$1/xfs/baseline-rerun1" \
		"$1/xfs/patched-rerun1"
	printf '%s\n' generic/001 generic/002 generic/003 generic/004 \
		generic/005 >"$1/xfs/list"
	cat >"$1/xfs/baseline/progress" <<'EOF'
generic/001 pass 4
generic/002 fail 3 - output mismatch (see x)
generic/003 notrun 0 requires foo
generic/004 pass 2
generic/005 fail 1 - output mismatch (see y)
EOF
	cat >"$1/xfs/patched/progress" <<'EOF'
generic/001 pass 4
generic/002 fail 3 - output mismatch (see x)
generic/003 notrun 0 requires foo
generic/004 fail 2 - output mismatch (see z)
generic/005 pass 1
EOF
	# generic/004 fails again on patched, but also once on baseline:
	# flaky on both.  generic/005 fails on the baseline only.
	echo "generic/004 fail 2 - output mismatch" >"$1/xfs/baseline-rerun1/progress"
	echo "generic/005 fail 1 - output mismatch" >>"$1/xfs/baseline-rerun1/progress"
	echo "generic/004 fail 2 - output mismatch" >"$1/xfs/patched-rerun1/progress"
	echo "generic/005 pass 1" >>"$1/xfs/patched-rerun1/progress"
	for k in baseline patched; do
		printf '[    1.000000] run fstests generic/001 at x\n[    2.000000] run fstests generic/002 at x\n[    2.500000] WARNING: CPU: 0 PID: 1 at fs/x.c:1 f+0x0/0x1\n' \
			>"$1/xfs/$k/console-1.log"
		echo "verdict: warn: $1/xfs/$k/console-1.log:3: WARNING: CPU: 0 PID: 1 at fs/x.c:1 f+0x0/0x1" \
			>"$1/xfs/$k/verdict-1.txt"
	done
	# A report class on the baseline only is not a difference.
	echo "verdict: kasan: $1/xfs/baseline/console-1.log:2: BUG: KASAN: x" \
		>>"$1/xfs/baseline/verdict-1.txt"
}
report() { # report NAME DIR WANT_RC TEXT...
	_n=$1 _d=$2 _want=$3
	shift 3
	_out=$(sh "$here/fstests-report.sh" "$_d" 2>&1) && _rc=0 || _rc=$?
	_why=
	[ "$_rc" = "$_want" ] || _why="exit $_rc, want $_want"
	for _t in "$@"; do
		printf '%s\n' "$_out" | grep -qF -- "$_t" || _why="${_why:+$_why; }no '$_t'"
	done
	tap_result "report/$_n" "$_why" "$_out"
}

mkrun "$tmp/same"
report no-difference "$tmp/same" 0 "No difference." \
	"- generic/002: baseline:" "- generic/004: failed 2 of 2 runs on patched, 1 of 2 on baseline" \
	"- generic/003: requires foo"
out=$(sh "$here/fstests-report.sh" -d "$tmp/same/xfs")
if [ "$out" = "$(printf 'generic/004\ngeneric/005')" ]; then
	tap_result report/rerun-list ""
else
	tap_result report/rerun-list "want generic/004 and generic/005" "$out"
fi

mkrun "$tmp/fail"
echo "generic/001 pass 4" >"$tmp/fail/xfs/baseline-rerun1/progress"
echo "generic/001 fail 4 - output mismatch" >"$tmp/fail/xfs/patched-rerun1/progress"
sed -i 's/^generic\/001 pass 4$/generic\/001 fail 4 - output mismatch (see w)/' \
	"$tmp/fail/xfs/patched/progress"
report patched-only-failure "$tmp/fail" 1 "### Differences" \
	"- generic/001: patched: fail - output mismatch (see w)"

mkrun "$tmp/notrun"
sed -i 's/^generic\/001 pass 4$/generic\/001 notrun 0 needs bar/' \
	"$tmp/notrun/xfs/patched/progress"
report patched-only-notrun "$tmp/notrun" 1 "- generic/001: patched: notrun"

mkrun "$tmp/reports"
echo "verdict: lockdep: $tmp/reports/xfs/patched/console-1.log:1: WARNING: possible circular locking dependency detected" \
	>>"$tmp/reports/xfs/patched/verdict-1.txt"
report patched-only-report "$tmp/reports" 1 "- generic/001: lockdep (patched only)"

mkrun "$tmp/missing"
sed -i '/^generic\/003 /d' "$tmp/missing/xfs/patched/progress"
report missing-result "$tmp/missing" 1 "- generic/003: no result on patched"

tap_end fstests-unit
