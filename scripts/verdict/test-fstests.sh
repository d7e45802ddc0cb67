#!/bin/sh
# Unit test of fstests-parse.sh and fstests-report.sh on made-up runs:
# every kind of ./check line must be read as the right result, a summary
# that disagrees with the lines must be an error, and the report must
# exit 0 with "No difference" for a run that differs only in ways that
# are not the series' (both fail the same way, flaky on both, baseline-only
# failures), and 1 naming the test for each kind of difference: a
# patched-only failure, failing more often or in another way on the
# patched kernel, patched-only not run, a kernel report during a test
# that the baseline did not print in it (also in a re-run, also with
# ":NNN:" in its text), a patched boot that did not finish, a missing
# result, a test fstests does not know, nothing passed at all.  And the
# selection (scripts/jobs/fstests-select.sh) on a made-up fstests tree: the
# default's groups and tests less its "exclude:" tests, FSTESTS_GROUPS and
# FSTESTS_TESTS unfiltered.  Prints TAP lines and "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..19"

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
# Lock debugging went off during generic/004: the results after it go.
out=$(sh "$here/fstests-parse.sh" -u generic/004 "$tmp/check.out" 2>&1) && rc=0 || rc=$?
out2=$(sh "$here/fstests-parse.sh" -u - "$tmp/check.out" 2>&1) || rc=$?
if [ "$rc" = 0 ] && [ "$out" = "$(head -n 4 "$tmp/want")" ] && [ -z "$out2" ]; then
	tap_result parse/up-to-a-test ""
else
	tap_result parse/up-to-a-test "exit $rc, or not the first 4 results and none" \
		"$out
--
$out2"
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
# console DIR TEST... : a finished boot's console log in DIR that starts
# each TEST in turn; report LINE after the start of TEST with "after TEST
# LINE" among the arguments.
console() {
	_d=$1
	shift
	_n=$(find "$_d" -name 'console-*.log' | wc -l)
	_f=$_d/console-$((_n + 1)).log
	: >"$_f"
	_fin=1
	while [ $# -gt 0 ]; do
		case $1 in
		after) printf '[    2.000000] %s\n' "$2" >>"$_f"; shift ;;
		unfinished) _fin=0 ;;
		*) printf '[    1.000000] run fstests %s at 2026-11-29 10:00:00\n' "$1" >>"$_f" ;;
		esac
		shift
	done
	[ "$_fin" = 0 ] || echo "aiolock-guest: done, status 0" >>"$_f"
}
warn='WARNING: CPU: 0 PID: 1 at fs/x.c:1 f+0x0/0x1'
# mkrun DIR: a run of one configuration where the kernels differ only in
# ways that are not differences: generic/002 fails on both the same way,
# generic/003 is not run on both, generic/004 is flaky on both, generic/005
# fails on the baseline only, a WARN in generic/002 on both.
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
	printf 'generic/004 fail 2 - output mismatch\ngeneric/005 fail 1 - output mismatch\n' \
		>"$1/xfs/baseline-rerun1/progress"
	printf 'generic/004 pass 2\ngeneric/005 pass 1\n' >"$1/xfs/patched-rerun1/progress"
	for k in baseline patched; do
		console "$1/xfs/$k" generic/001 generic/002 after "$warn" \
			generic/003 generic/004 generic/005
		console "$1/xfs/$k-rerun1" generic/004 generic/005
	done
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
	"- generic/002: baseline: mismatch" \
	"- generic/004: fail:mismatch in 1 of 2 runs on patched, 1 of 2 on baseline" \
	"- generic/003: requires foo" "- generic/005: baseline: fail:mismatch"
out=$(sh "$here/fstests-report.sh" -d "$tmp/same/xfs")
if [ "$out" = "$(printf 'generic/004\ngeneric/005')" ]; then
	tap_result report/rerun-list ""
else
	tap_result report/rerun-list "want generic/004 and generic/005" "$out"
fi

mkrun "$tmp/fail"
sed -i 's/^generic\/001 pass 4$/generic\/001 fail 4 - output mismatch (see w)/' \
	"$tmp/fail/xfs/patched/progress"
echo "generic/001 fail 4 - output mismatch" >>"$tmp/fail/xfs/patched-rerun1/progress"
echo "generic/001 pass 4" >>"$tmp/fail/xfs/baseline-rerun1/progress"
report patched-only-failure "$tmp/fail" 1 "### Differences" \
	"- generic/001: patched: fail:mismatch - output mismatch (see w)"

# Failing more often on the patched kernel is not "flaky on both".
mkrun "$tmp/more"
echo "generic/004 fail 2 - output mismatch" >"$tmp/more/xfs/patched-rerun1/progress"
report fails-more-often "$tmp/more" 1 \
	"- generic/004: patched: fail:mismatch - output mismatch (see z); baseline: pass (fail:mismatch in 2 of 2 runs on patched, 1 of 2 on baseline)"

# Failing on both, but the patched guest died in it.
mkrun "$tmp/kind"
sed -i 's/^generic\/002 fail 3 .*/generic\/002 fail 0 guest died, console-1.log/' \
	"$tmp/kind/xfs/patched/progress"
report other-failure "$tmp/kind" 1 "- generic/002: patched: fail:crash guest died"

mkrun "$tmp/notrun"
sed -i 's/^generic\/001 pass 4$/generic\/001 notrun 0 needs bar/' \
	"$tmp/notrun/xfs/patched/progress"
report patched-only-notrun "$tmp/notrun" 1 "- generic/001: patched: notrun"

mkrun "$tmp/reports"
rm "$tmp/reports/xfs/patched/console-1.log"
console "$tmp/reports/xfs/patched" generic/001 \
	after "WARNING: possible circular locking dependency detected" \
	generic/002 after "$warn" generic/003 generic/004 generic/005
report patched-only-report "$tmp/reports" 1 "- generic/001: lockdep (patched only)"

# The same class in another test, and a report in a re-run.
mkrun "$tmp/other"
rm "$tmp/other/xfs/patched/console-1.log"
console "$tmp/other/xfs/patched" generic/001 generic/002 after "$warn" \
	generic/003 after "$warn" generic/004 generic/005
console "$tmp/other/xfs/patched-rerun1" generic/004 \
	after "BUG: KASAN: slab-use-after-free in f+0x1/0x2" generic/005
report report-elsewhere "$tmp/other" 1 "- generic/003: warn (patched only)" \
	"- generic/004: kasan (patched only)"

# A report whose text has ":NNNN:" in it is still placed by its line.
mkrun "$tmp/colon"
console "$tmp/colon/xfs/patched" generic/003 \
	after "EXT4-fs error (device ubdb): ext4_lookup:1855: inode #2: comm ls: deleted inode referenced: 12"
report report-line "$tmp/colon" 1 "- generic/003: fs-error (patched only)"

# A patched boot that died after its last test.
mkrun "$tmp/died"
console "$tmp/died/xfs/patched" generic/005 unfinished
report unfinished-boot "$tmp/died" 1 "- generic/005: unfinished (patched only)"

mkrun "$tmp/missing"
sed -i '/^generic\/003 /d' "$tmp/missing/xfs/patched/progress"
report missing-result "$tmp/missing" 1 "- generic/003: no result on patched"

mkrun "$tmp/unknown"
for k in baseline patched; do
	sed -i 's/^generic\/003 .*/generic\/003 fail 0 - no such test?/' \
		"$tmp/unknown/xfs/$k/progress"
done
report unknown-test "$tmp/unknown" 1 "- generic/003: fstests does not know it"

mkrun "$tmp/none"
for k in baseline patched; do
	sed -i 's/ pass [0-9]*$/ notrun 0 requires foo/' "$tmp/none/xfs/$k/progress"
done
report nothing-passed "$tmp/none" 1 "- no test passed on either kernel"

# --- fstests-select.sh
fst=$tmp/fst
mkdir -p "$fst/tests/generic" "$fst/tests/xfs"
cat >"$fst/tests/generic/group.list" <<'EOF'
# comment
001 auto quick rw
002 auto rw
003 auto quick freeze
004 quick rw
EOF
cat >"$fst/tests/xfs/group.list" <<'EOF'
001 auto quick freeze
002 auto quick rw
EOF
FSTESTS_DEFAULT_LIST=$tmp/default.list
cat >"$FSTESTS_DEFAULT_LIST" <<'EOF'
group: rw
group: freeze
test: generic/002
exclude: xfs/001
EOF
# shellcheck source=scripts/jobs/fstests-select.sh
. "$here/../jobs/fstests-select.sh"
# select_case NAME EXPECTED: tests_of xfs, sorted, on one line
select_case() {
	_got=$(tests_of xfs | sort | tr '\n' ' ')
	if [ "$_got" = "$2" ]; then
		tap_result "select/$1" ""
	else
		tap_result "select/$1" "got '$_got', expected '$2'"
	fi
}
select_case default-excludes "generic/001 generic/002 generic/003 xfs/002 "
FSTESTS_GROUPS=freeze select_case groups-unfiltered "generic/003 xfs/001 "
FSTESTS_TESTS="xfs/001 generic/004 ext4/001" select_case tests-unfiltered \
	"generic/004 xfs/001 "

tap_end fstests-unit
