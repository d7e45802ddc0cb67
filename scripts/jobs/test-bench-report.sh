#!/bin/sh
# Unit test of bench-report.sh on a made-up run: three repetitions of the
# rwsem fast-path results on baseline, patched and baseline again.  Checks
# the ratio and A/A columns of a metric with ordinary values, of one that
# is beyond the A/A range, and of one whose baseline measured 0 in one
# repetition (no ratio, not judged), and the runtime the text names.
# Prints a plan, TAP lines and "N passed, N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/../verdict/tap.sh"
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
echo "quick 3 6.12.117 1500ms 500ms" >"$run/params"
# rep slot down_read+up_read down_write+up_write sizeof
while read -r rep slot rd wr sz; do
	mkdir -p "$run/rep$rep-$slot"
	{
		echo "RESULT rwsem op=sizeof bytes=$sz"
		echo "RESULT rwsem op=down_write+up_write ns_per_pair=$wr"
		echo "RESULT rwsem op=down_read+up_read ns_per_pair=$rd"
	} >"$run/rep$rep-$slot/rwsem-bench.txt"
done <<'RUNS'
1 baseline 10 20 0
1 patched 10 10 32
1 baseline2 10 20 0
2 baseline 10 20 32
2 patched 11 10 32
2 baseline2 10 21 32
3 baseline 10 20 32
3 patched 10 10 32
3 baseline2 11 19 32
RUNS
out=$(sh "$here/bench-report.sh" "$run" 2>&1) && rc=0 || rc=$?
echo "1..6"
check() { # check NAME ROW-REGEX EXPECTED-TAIL
	row=$(printf '%s\n' "$out" | grep -E "$2" || true)
	case $row in
	*"$3") tap_result "bench-report/$1" "" ;;
	*)
		tap_result "bench-report/$1" "expected a row ending in '$3'" \
			"${row:-(no such row)}"
		;;
	esac
}
if [ "$rc" -eq 0 ]; then
	tap_result bench-report/exit ""
else
	tap_result bench-report/exit "exit $rc" "$out"
fi
check noise '\| down_read\+up_read \| ns_per_pair \|' \
	'| 1.00 (1.00-1.10) | 1.00 (1.00-1.10) | no |'
check beyond '\| down_write\+up_write \| ns_per_pair \|' \
	'| 0.50 (0.50-0.50) | 1.00 (0.95-1.05) | yes (lower) |'
check zero-baseline '\| sizeof \| bytes \|' '| - | - | - |'
# The runtime the run says it used: UML unless bench.sh recorded QEMU.
text() { # text NAME OUTPUT WANTED UNWANTED
	if printf '%s\n' "$2" | grep -q "$3" &&
		! printf '%s\n' "$2" | grep -q "$4"; then
		tap_result "bench-report/$1" ""
	else
		tap_result "bench-report/$1" "expected '$3' and no '$4' in the text"
	fi
}
text runtime-uml "$out" 'UML (ARCH=um, one CPU)' QEMU
printf 'cores=2\ncpu=test\nrunner=qemu\n' >"$run/host"
out=$(sh "$here/bench-report.sh" "$run" 2>&1) || true
text runtime-qemu "$out" 'x86_64 under QEMU with 2 virtual CPUs' '[Uu][Mm][Ll]'
tap_end bench-report
