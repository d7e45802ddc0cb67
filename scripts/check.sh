#!/bin/sh
# `make check`: build what is needed, boot the kernels, run the KUnit suites
# and the guest tests, judge every guest log, and print "N passed, N failed".
#
# Environment: CHECK_KERNELS (default "patched baseline"), TESTS_FS and
# TESTS_ONLY (passed to tests/run.sh), CHECK_SKIP_BUILD=1 to use the kernels
# that are there.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/common.sh"
cd "$TOP"

kernels=${CHECK_KERNELS:-patched baseline}
res=$BUILD/check
rm -rf "$res"
mkdir -p "$res"
pass=0
fail=0
t_start=$(date +%s)

result() { # result ok|fail NAME [REASON]
	if [ "$1" = ok ]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2${3:+: $3}"
		fail=$((fail + 1))
	fi
}

# Judge a guest log: one result for the whole boot.
judge() { # judge NAME LOG
	if sh scripts/verdict.sh "$2" >"$2.verdict" 2>&1; then
		result ok "$1/log-clean"
	else
		grep -v ' 0 report' "$2.verdict" | head -n 20 | sed 's/^/#   /'
		result fail "$1/log-clean" "kernel reports in $2"
	fi
	grep 'known UML' "$2.verdict" | grep -v ' 0 known' | sed 's/^/# /' || true
}

# Count TAP lines written by a guest command.
count_tap() { # count_tap OUTPUT
	if [ ! -s "$1" ]; then
		result fail "$(basename "$(dirname "$1")")/output" "the guest produced no output"
		return
	fi
	p=$(grep -c '^ok ' "$1" || true)
	f=$(grep -c '^not ok ' "$1" || true)
	grep '^not ok ' "$1" | sed 's/^/# /' || true
	pass=$((pass + p))
	fail=$((fail + f))
	echo "# $(basename "$(dirname "$1")"): $p passed, $f failed"
}

# Count KUnit results with the kernel's own KTAP parser.
count_kunit() { # count_kunit NAME LOG
	python3 "$KTREE/tools/testing/kunit/kunit.py" parse "$2" >"$2.kunit" 2>&1 || true
	sum=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$2.kunit" | tail -n 1)
	if [ -z "$sum" ]; then
		sed 's/^/#   /' "$2.kunit" | tail -n 20
		result fail "$1/kunit" "no KUnit results in $2"
		return
	fi
	echo "# $1: $sum"
	p=$(printf '%s\n' "$sum" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
	f=$(printf '%s\n' "$sum" | sed -n 's/.*failed: \([0-9]*\).*/\1/p')
	c=$(printf '%s\n' "$sum" | sed -n 's/.*crashed: \([0-9]*\).*/\1/p')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${c:-0}))
	if [ -n "$f$c" ]; then
		grep -E '\[(FAILED|CRASHED)\]' "$2.kunit" | sed 's/^/# /' || true
	fi
}

# Lockdep must still be on at the end of a debug boot, or it checked nothing.
check_lockdep_on() { # check_lockdep_on NAME OUTDIR
	if grep -qE '^ *debug_locks: *1$' "$2/debug_locks" 2>/dev/null; then
		result ok "$1/lockdep-still-on"
	else
		result fail "$1/lockdep-still-on" "lockdep turned itself off ($(cat "$2/debug_locks" 2>/dev/null))"
	fi
}

# 1. Host-side unit tests of the harness itself.
log "verdict scanner unit test"
out=$(sh scripts/test-verdict.sh) && vrc=0 || vrc=$?
printf '%s\n' "$out" | grep -E '^(ok|not ok) ' >"$res/verdict-unit.tap" || true
printf '%s\n' "$out" | grep '^not ok' || true
p=$(grep -c '^ok ' "$res/verdict-unit.tap" || true)
f=$(grep -c '^not ok ' "$res/verdict-unit.tap" || true)
pass=$((pass + p))
fail=$((fail + f))
[ "$vrc" -eq 0 ] || [ "$f" -gt 0 ] || result fail harness/verdict-unit "exit $vrc"
echo "# harness: verdict scanner $p passed, $f failed"

# 2. checkpatch --strict on every patch of the series.
sh scripts/tree.sh
sh scripts/lint.sh >"$res/lint.tap" 2>&1 || true
grep -E '^(not ok|#)' "$res/lint.tap" || true
p=$(grep -c '^ok ' "$res/lint.tap" || true)
f=$(grep -c '^not ok ' "$res/lint.tap" || true)
pass=$((pass + p))
fail=$((fail + f))
echo "# lint: $p passed, $f failed"

# 3. Build.
need_all_pkgs
log "building guest tests"
make -s -C tests O="$BUILD/tests"
if [ "${CHECK_SKIP_BUILD:-0}" != 1 ]; then
	for k in $kernels; do
		sh scripts/build.sh "$k" debug
	done
fi

guest() { # guest KERNEL NAME TIMEOUT [run-guest options] -- CMD...
	k=$1
	n=$2
	tmo=$3
	shift 3
	# The series changes observable behaviour (sub-block async direct
	# writes into new space no longer complete inside io_submit): the
	# tests expect the new behaviour on the patched kernel and 6.12's on
	# the baseline, so that losing the feature fails them.
	case $k in
	baseline) kbin=$BTREE/_out-debug/linux feature=0 ;;
	*) kbin=$KTREE/_out-debug/linux feature=1 ;;
	esac
	mkdir -p "$res/$n"
	t0=$(date +%s)
	rc=0
	AIOLOCK_FEATURE_DIO_LOCK=$feature sh scripts/run-guest.sh -k "$kbin" -n "$k" -t "$tmo" -l "$res/$n/console.log" \
		-o "$res/$n" -a "null_blk.nr_devices=0" "$@" || rc=$?
	log "$n: guest finished with status $rc in $(($(date +%s) - t0))s"
	return 0
}

for k in $kernels; do
	# 4. KUnit suites, one boot each (lockdep only reports once per boot).
	: >"$res/kunit-boots"
	grep -v -e '^#' -e '^[[:space:]]*$' tests/kunit.list | while read -r glob which mode rest; do
		[ "$which" = both ] || [ "$which" = "$k" ] || continue
		n=$k-kunit-$glob
		log "$n: booting"
		guest "$k" "$n" 600 -K "$glob" -- sh scripts/in-guest.sh true </dev/null
		printf '%s %s %s\n' "$n" "$mode" "$rest" >>"$res/kunit-boots"
	done
	while read -r n mode rest; do
		count_kunit "$n" "$res/$n/console.log"
		if [ "$mode" = clean ]; then
			judge "$n" "$res/$n/console.log"
			check_lockdep_on "$n" "$res/$n"
		else
			set -f # the expectations are regular expressions
			for re in $rest; do
				if sed -n 's/^\[ *[0-9]*\.[0-9]*\] //p' "$res/$n/console.log" | grep -qE "$re"; then
					result ok "$n/reports '$re'"
				else
					result fail "$n/reports '$re'" "expected report not in log"
				fi
			done
			set +f
		fi
	done <"$res/kunit-boots"
	rm -f "$res/kunit-boots"

	# 5. Guest system tests.
	n=$k-tests
	log "$n: booting"
	guest "$k" "$n" 1200 -- sh scripts/in-guest.sh sh tests/run.sh "$BUILD/tests"
	count_tap "$res/$n/output"
	judge "$n" "$res/$n/console.log"
	check_lockdep_on "$n" "$res/$n"
done

# 6. The verdict must catch a real WARN from a real kernel: provoke one.
n=selftest-warn
log "$n: booting, provoking a WARN with LKDTM"
guest patched "$n" 300 -- sh -c 'echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT'
if sh scripts/verdict.sh "$res/$n/console.log" >"$res/$n/verdict" 2>&1; then
	result fail "$n/verdict-catches-warn" "a WARN in the log was not reported"
elif grep -q '^verdict: warn:' "$res/$n/verdict"; then
	result ok "$n/verdict-catches-warn"
else
	result fail "$n/verdict-catches-warn" "$(head -n 1 "$res/$n/verdict")"
fi

log "check finished in $(($(date +%s) - t_start))s; logs in $res"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
