#!/bin/sh
# `make check`: build what is needed, boot the kernels, run the KUnit suites
# and the guest tests, judge every guest log, and print "N passed, N failed,
# N skipped" (skipped cases are never counted as passed).
#
# A run only counts if it is complete: every guest command must exit with
# the status it should (124: timed out, 125: the guest died), the guest
# tests must report every case of the plan they print and their closing
# summary (scripts/verdict/tap-count.sh), every KUnit boot must run the
# suites it selects and at least one test, and the lint and unit-test
# scripts must report one result per planned item.
#
# Environment: CHECK_RUNTIME (uml, the default: single-CPU User Mode Linux;
# smp: x86_64 with 2 CPUs under QEMU, `make check-smp`; rt: the same with
# PREEMPT_RT, `make check-rt`), CHECK_KERNELS (default "patched baseline"),
# TESTS_FS and TESTS_ONLY (passed to tests/run.sh), CHECK_SKIP_BUILD=1 to
# use the kernels that are there, CHECK_TORTURE_SECS (QEMU runtimes: how
# long each locktorture type runs, default 60).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"
cd "$TOP"

kernels=${CHECK_KERNELS:-patched baseline}
runtime=${CHECK_RUNTIME:-uml}
# Kernel flavor, KUnit list, timeout factor and results of each runtime:
# QEMU emulates the CPU (no KVM here): the debug kernels run KUnit's
# ext4_mballoc_test 20 times slower than UML (294 s against 13 s on two
# busy cores).  The factor scales the guest timeouts; the QEMU kernels'
# hung-task timeout is scaled the same way (config/qemu-debug.config).
# slow_ms: the slow device of the guest tests (TESTS_SLOW_DELAY_MS): the
# tests judge timing against half its latency, and one system call, or
# forking and waking a task, can take tens of milliseconds under QEMU (a
# NOWAIT io_uring write punted to io-wq took 56 ms on PREEMPT_RT).
# excl: whether the series hands write locks off (not on PREEMPT_RT, where
# the I/O that holds i_rwsem exclusively is waited for at submission as on
# 6.12; the tests then expect that).
excl=1
case $runtime in
uml) flavor=debug kunit_list=tests/kunit.list slow=1 res=$BUILD/check slow_ms=100 ;;
smp) flavor=smp-debug kunit_list=tests/kunit.list slow=10 res=$BUILD/check-smp slow_ms=400 ;;
rt) flavor=rt-debug kunit_list=tests/kunit-rt.list slow=10 res=$BUILD/check-rt slow_ms=400 excl=0 ;;
*) die "unknown CHECK_RUNTIME '$runtime' (uml, smp or rt)" ;;
esac
# Filesystem configurations of the guest tests (tests/run.sh): on UML
# also those the series leaves on i_dio_count (data checks, hold_time
# measured and compared between the kernels); the QEMU kernels carry only the
# converted filesystems.  The inverted boots need the converted ones only.
converted="xfs xfs-reflink ext4 ext2"
# The guest tests' timeout (times $slow): all nine configurations took
# 1206 s and 1223 s on UML (2026-11-29), the converted four 813 s before.
case $runtime in
uml) check_fs=${TESTS_FS:-$converted btrfs f2fs gfs2 zonefs erofs} tests_tmo=2400 ;;
*) check_fs=${TESTS_FS:-$converted} tests_tmo=1200 ;;
esac
inv_fs=
for fs in $check_fs; do
	case " $converted " in
	*" $fs "*) inv_fs="$inv_fs $fs" ;;
	esac
done
rm -rf "$res"
mkdir -p "$res"
pass=0
fail=0
skip=0
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

# Status of a guest command, in words.
status_text() { # status_text STATUS
	case $1 in
	124) echo "status 124 (timed out)" ;;
	125) echo "status 125 (the guest died before the command finished)" ;;
	*) echo "status $1" ;;
	esac
}

# Judge a guest log: one result for the whole boot.
judge() { # judge NAME LOG
	if sh scripts/verdict/verdict.sh "$2" >"$2.verdict" 2>&1; then
		result ok "$1/log-clean"
	else
		grep -v ' 0 report' "$2.verdict" | head -n 20 | sed 's/^/#   /'
		result fail "$1/log-clean" "kernel reports in $2"
	fi
	grep 'known UML' "$2.verdict" | grep -v ' 0 known' | sed 's/^/# /' || true
}

# Count the TAP results of a run (scripts/verdict/tap-count.sh) and add one
# failure if the run is incomplete or its status is wrong.
count_tap() { # count_tap NAME OUTPUT [tap-count options]
	_n=$1
	_o=$2
	shift 2
	_c=$(sh scripts/verdict/tap-count.sh "$@" "$_o") && _rc=0 || _rc=$?
	printf '%s\n' "$_c" | grep -v '^tap-count: [0-9]* passed' || true
	_sum=$(printf '%s\n' "$_c" | sed -n 's/^tap-count: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')
	if [ -z "$_sum" ]; then
		result fail "$_n/complete" "tap-count.sh failed (status $_rc)"
		return
	fi
	# shellcheck disable=SC2086 # three numbers
	set -- $_sum
	pass=$((pass + $1))
	fail=$((fail + $2))
	skip=$((skip + $3))
	echo "# $_n: $1 passed, $2 failed, $3 skipped"
	if [ "$_rc" -ne 0 ]; then
		result fail "$_n/complete" "partial or inconsistent run, see the tap-count lines above"
	fi
}

# Count KUnit results with the kernel's own KTAP parser.  The boot must
# have run the suites its glob selects (the top-level KTAP results of the
# log) and at least one test, and the parser must accept the log.
count_kunit() { # count_kunit NAME LOG GLOB
	_prc=0
	python3 "$KTREE/tools/testing/kunit/kunit.py" parse "$2" >"$2.kunit" 2>&1 || _prc=$?
	sum=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$2.kunit" | tail -n 1)
	if [ -z "$sum" ]; then
		sed 's/^/#   /' "$2.kunit" | tail -n 20
		result fail "$1/kunit" "no KUnit results in $2"
		return
	fi
	echo "# $1: $sum"
	_v() { printf '%s\n' "$sum" | sed -n "s/.*[:,] $1: \\([0-9]*\\).*/\\1/p"; }
	t=$(printf '%s\n' "$sum" | sed -n 's/.*Ran \([0-9]*\) tests.*/\1/p')
	p=$(_v passed)
	f=$(_v failed)
	c=$(_v crashed)
	s=$(_v skipped)
	e=$(_v errors)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${c:-0}))
	skip=$((skip + ${s:-0}))
	if [ -n "$f$c" ]; then
		grep -E '\[(FAILED|CRASHED)\]' "$2.kunit" | sed 's/^/# /' || true
	fi
	# The suites that reported: top-level KTAP results of the log.
	suites=$(sed -n 's/^\[ *[0-9]*\.[0-9]*\] \(not \)\{0,1\}ok [0-9]* \([A-Za-z0-9_]*\)\( #.*\)\{0,1\}$/\2/p' "$2" |
		sort -u | tr '\n' ' ')
	why=
	[ "${t:-0}" -gt 0 ] || why="no test ran"
	[ "${e:-0}" -eq 0 ] || why="${why:+$why; }$e parser error(s)"
	if [ "$_prc" -ne 0 ] && [ -z "$f$c" ]; then
		why="${why:+$why; }kunit.py parse exited with status $_prc"
	fi
	[ -n "$suites" ] || why="${why:+$why; }no suite reported"
	for _s in $suites; do
		# shellcheck disable=SC2254 # the glob is a pattern
		case $_s in
		$3) ;;
		*) why="${why:+$why; }suite $_s ran, not selected by $3" ;;
		esac
	done
	case $3 in
	*[*?[]*) ;;
	*) case " $suites" in
		*" $3 "*) ;;
		*) why="${why:+$why; }suite $3 did not report" ;;
		esac ;;
	esac
	if [ -n "$why" ]; then
		sed 's/^/#   /' "$2.kunit" | tail -n 20
		result fail "$1/kunit-complete" "$why"
	fi
}

# A boot that provokes reports on purpose: the verdict must report each
# class in CLASSES (comma-separated: it catches them on a real kernel) and
# nothing else (an unexpected KASAN or BUG report there is a failure).
verdict_expect() { # verdict_expect NAME LOG CLASSES
	sh scripts/verdict/verdict.sh "$2" >"$2.verdict" 2>&1 || true
	_found=$(sed -n 's/^verdict: \([a-z-]*\): .*:[0-9]*: .*/\1/p' "$2.verdict" |
		grep -v '^known-' | sort -u | tr '\n' ' ')
	for _c in $(echo "$3" | tr ',' ' '); do
		case " $_found" in
		*" $_c "*) result ok "$1/verdict-catches-$_c" ;;
		*) result fail "$1/verdict-catches-$_c" "no $_c report found in $2" ;;
		esac
	done
	_other=
	for _c in $_found; do
		case ",$3," in
		*",$_c,"*) ;;
		*) _other="$_other $_c" ;;
		esac
	done
	if [ -z "$_other" ]; then
		result ok "$1/verdict-nothing-unexpected"
	else
		grep -E "^verdict: ($(echo "$_other" | sed 's/^ //; s/ /|/g')): " "$2.verdict" |
			head -n 10 | sed 's/^/#   /'
		result fail "$1/verdict-nothing-unexpected" "unexpected report class(es):$_other"
	fi
}

# A guest command's status must be the expected one.
check_status() { # check_status NAME WANT
	_got=$(cat "$res/$1/status" 2>/dev/null || echo none)
	if [ "$_got" != "$2" ]; then
		result fail "$1/status" "guest command exited with $(status_text "$_got"), expected $2"
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

# 1. Host-side unit tests of the harness itself: the log scanner, the
# TAP counter, the fstests result reader and report, the hold_time
# table and its comparison of the kernels, the benchmark
# report, each on canned cases, the exit-status contract of run-guest.sh,
# with stand-in kernels (which looks for left-over guest processes with
# pgrep), and the object comparison of fastpath.sh, on small C files.
need_pkgs procps
for ut in scripts/verdict/test-verdict.sh scripts/verdict/test-tap.sh \
	scripts/verdict/test-fstests.sh scripts/verdict/test-hold-time.sh \
	scripts/jobs/test-bench-report.sh \
	scripts/guest/test-run-guest.sh scripts/kernel/test-fastpath.sh; do
	u=${ut##*/test-}
	u=${u%.sh}
	log "$u unit test"
	sh "$ut" >"$res/$u-unit.tap" 2>&1 && urc=0 || urc=$?
	count_tap "harness/$u-unit" "$res/$u-unit.tap" -p -r "$urc"
done
# The README's benchmark table is the one bench-guest.sh runs.
if sh scripts/jobs/bench-matrix.sh -c README.md >"$res/bench-matrix.txt" 2>&1; then
	result ok harness/readme-bench-matrix
else
	sed 's/^/#   /' "$res/bench-matrix.txt"
	result fail harness/readme-bench-matrix "README.md's benchmark table differs from bench/matrix.sh"
fi

# 2. checkpatch --strict on every patch of the series: one result per
# patch, and lint.sh's status must agree with them.
sh scripts/stack/tree.sh
sh scripts/stack/lint.sh >"$res/lint.tap" 2>&1 && lrc=0 || lrc=$?
grep '^#' "$res/lint.tap" || true
count_tap lint "$res/lint.tap" -p -r "$lrc"

# 3. Build.
need_all_pkgs
[ "$runtime" = uml ] || need_pkgs qemu-system-x86
log "building guest tests"
make -s -C tests O="$BUILD/tests"
if [ "${CHECK_SKIP_BUILD:-0}" != 1 ]; then
	for k in $kernels; do
		sh scripts/kernel/build.sh "$k" "$flavor"
	done
fi

# The series must leave the rwsem fast paths alone: the functions a task
# calls to take and release an uncontended rwsem, and __init_rwsem() (the
# layout of struct rw_semaphore), compiled for x86_64 without lock
# debugging, without and with preemption, must be the same instructions
# on both kernels.
for fp in fastpath fastpath-preempt; do
	for k in baseline patched; do
		sh scripts/kernel/build.sh "$k" "$fp"
	done
	sh scripts/kernel/fastpath.sh -n "$fp" "$(kernel_bin baseline "$fp")" \
		"$(kernel_bin patched "$fp")" down_read down_read_interruptible \
		down_read_killable down_read_trylock down_write \
		down_write_killable down_write_trylock up_read up_write \
		downgrade_write __init_rwsem \
		>"$res/$fp.tap" 2>&1 && frc=0 || frc=$?
	grep "^#" "$res/$fp.tap" || true
	count_tap "$fp" "$res/$fp.tap" -p -r "$frc"
done

invert=0
guest() { # guest KERNEL NAME TIMEOUT [run-guest options] -- CMD...
	k=$1
	n=$2
	tmo=$3
	shift 3
	# The series changes observable behaviour (sub-block async direct
	# writes into new space no longer complete inside io_submit): the
	# tests expect the new behaviour on the patched kernel and 6.12's on
	# the baseline, so that losing the feature fails them.
	# With invert=1 they expect the other kernel's behaviour instead
	# (the guest is then not named "baseline", which would veto it).
	kbin=$(kernel_bin "$k" "$flavor")
	case $k in
	baseline) feature=0 ;;
	*) feature=1 ;;
	esac
	kname=$k
	if [ "$invert" = 1 ]; then
		feature=$((1 - feature))
		kname=$k-expecting-$([ "$feature" = 1 ] && echo series || echo 6.12)
	fi
	mkdir -p "$res/$n"
	t0=$(date +%s)
	rc=0
	AIOLOCK_FEATURE_DIO_LOCK=$feature AIOLOCK_FEATURE_DIO_LOCK_EXCL=$excl \
		sh scripts/guest/run-guest.sh -k "$kbin" -n "$kname" \
		-t $((tmo * slow)) -l "$res/$n/console.log" \
		-o "$res/$n" -a "null_blk.nr_devices=0" "$@" || rc=$?
	# The guest writes its own status file; this one is the host's view.
	echo "$rc" >"$res/$n/status"
	log "$n: guest finished with $(status_text "$rc") in $(($(date +%s) - t0))s"
	return 0
}

for k in $kernels; do
	# 4. KUnit suites, one boot each (lockdep only reports once per boot).
	: >"$res/kunit-boots"
	grep -v -e '^#' -e '^[[:space:]]*$' "$kunit_list" | while read -r glob which mode rest; do
		[ "$which" = both ] || [ "$which" = "$k" ] || continue
		n=$k-kunit-$glob
		log "$n: booting"
		guest "$k" "$n" 600 -K "$glob" -- sh scripts/guest/in-guest.sh true </dev/null
		printf '%s %s %s %s\n' "$n" "$glob" "$mode" "$rest" >>"$res/kunit-boots"
	done
	while read -r n glob mode rest; do
		check_status "$n" 0
		count_kunit "$n" "$res/$n/console.log" "$glob"
		if [ "$mode" = clean ]; then
			judge "$n" "$res/$n/console.log"
			check_lockdep_on "$n" "$res/$n"
		else
			set -f # the expectations are regular expressions
			# shellcheck disable=SC2086 # CLASSES REGEX...
			set -- $rest
			verdict_expect "$n" "$res/$n/console.log" "$1"
			shift
			for re in "$@"; do
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

	# 5. locktorture, where there is more than one CPU to race on: the
	# stock rwsem and mutex types, bounded in time, and on the patched
	# kernel the series' rwsem disown type.
	if [ "$runtime" != uml ]; then
		n=$k-locktorture
		secs=${CHECK_TORTURE_SECS:-60}
		kb=$(kernel_bin "$k" "$flavor")
		types="rwsem_lock mutex_lock"
		[ "$k" = patched ] && types="$types rwsem_disown_lock"
		ntypes=$(echo "$types" | wc -w)
		log "$n: booting"
		# shellcheck disable=SC2086
		guest "$k" "$n" $((secs * ntypes + 120)) -- sh scripts/guest/in-guest.sh \
			sh tests/locktorture.sh "${kb%/arch/x86/boot/bzImage}" "$secs" \
			$types
		count_tap "$n" "$res/$n/output" -p -r "$(cat "$res/$n/status")"
		judge "$n" "$res/$n/console.log"
		check_lockdep_on "$n" "$res/$n"
	fi

	# 6. Guest system tests.
	n=$k-tests
	log "$n: booting"
	guest "$k" "$n" "$tests_tmo" -- sh scripts/guest/in-guest.sh env TESTS_SLOW_DELAY_MS=$slow_ms \
		TESTS_FS="$check_fs" sh tests/run.sh "$BUILD/tests"
	count_tap "$n" "$res/$n/output" -p -s -r "$(cat "$res/$n/status")"
	judge "$n" "$res/$n/console.log"
	check_lockdep_on "$n" "$res/$n"

	# 6b. The contract tests can fail: the cases whose expectations differ
	# between the kernels, run with the other kernel's expectations, must
	# fail, each for the reason it checks.  race_exclusive and
	# subblock_async stop at their first failing case, so the selection
	# holds one of their failing cases per configuration: a sub-block
	# write into a hole (synchronous on 6.12, async with the series; on
	# ext2, which writes holes through the page cache on both kernels, the
	# one past EOF) and, on the baseline, the operation 6.12 does not order
	# against in-flight direct I/O (immutable on XFS and ext2, truncate up
	# on ext4).  hold_time runs every case: an fchmod with an async read
	# and with an async write in flight, and a create in a directory whose
	# unlink waits (on ext2, which cannot time its directory operations, a
	# buffered write instead); each returns at once on 6.12 and waits for
	# the I/O with the series.  On XFS, a NOWAIT sub-block append from
	# io_uring is refused on 6.12 (-EAGAIN, handed to io-wq) and issued
	# at once with the series (nowait_subblock).
	# On PREEMPT_RT these sub-block writes are waited for on both kernels
	# (the series does not hand write locks off there): no gate.
	n=$k-inverted
	sub="subblock_async/hole-libaio subblock_async/past_eof-libaio"
	nwsub=nowait_subblock/append-uring
	[ "$excl" = 1 ] || { sub=; nwsub=; }
	hold="hold_time/fchmod-aread-libaio hold_time/fchmod-awrite-libaio"
	hold_dir=hold_time/create_sibling-aread-libaio
	hold_ext2=hold_time/pwrite_buffered-aread-libaio
	case $k in
	baseline)
		only="${sub:+subblock_async }${nwsub:+nowait_subblock }race_exclusive hold_time"
		cases="$sub $nwsub race_exclusive/truncate_up-write-libaio race_exclusive/immutable-write-libaio $hold $hold_dir $hold_ext2"
		why="did not wait for the I/O"
		;;
	*)
		only="${sub:+subblock_async }${nwsub:+nowait_subblock }hold_time"
		cases="$sub $nwsub $hold $hold_dir $hold_ext2"
		why="it waited for the I/O, expected not to"
		;;
	esac
	if [ -z "$inv_fs" ]; then
		log "$n: no converted filesystem in TESTS_FS, nothing to invert"
		continue
	fi
	log "$n: booting, the $k kernel with the other kernel's expectations"
	invert=1
	guest "$k" "$n" 600 -- sh scripts/guest/in-guest.sh env TESTS_STALE_MB=0 \
		TESTS_SLOW_DELAY_MS=$slow_ms TESTS_FS="$inv_fs" TESTS_ONLY="$only" \
		TESTS_CASE="$cases" sh tests/run.sh "$BUILD/tests"
	invert=0
	check_status "$n" 1
	for fs in $inv_fs; do
		want=
		fshold="$hold $hold_dir"
		case $fs in
		ext2)
			[ -z "$sub" ] || want=$fs/subblock_async/past_eof-libaio
			fshold="$hold $hold_ext2"
			;;
		ext4) [ -z "$sub" ] || want=$fs/subblock_async/hole-libaio ;;
		*) [ -z "$sub" ] || want="$fs/subblock_async/hole-libaio $fs/$nwsub" ;;
		esac
		if [ "$k" = baseline ]; then
			case $fs in
			xfs* | ext2) want="$want $fs/race_exclusive/immutable-write-libaio" ;;
			ext4) want="$want $fs/race_exclusive/truncate_up-write-libaio" ;;
			esac
		fi
		for c in $want; do
			if grep -q "^not ok - $c: " "$res/$n/output" 2>/dev/null; then
				result ok "$n/fails $c"
			else
				result fail "$n/fails $c" "passed with the other kernel's expectations: this check cannot fail"
			fi
		done
		for c in $fshold; do
			if grep -F "not ok - $fs/$c: " "$res/$n/output" 2>/dev/null |
				grep -qF "$why"; then
				result ok "$n/fails $fs/$c"
			else
				result fail "$n/fails $fs/$c" "did not fail with '$why' under the other kernel's expectations: this check cannot fail"
			fi
		done
	done
	judge "$n" "$res/$n/console.log"
done

# 6c. How long i_rwsem users waited for direct I/O in flight on either
# kernel (hold_time's measurements side by side); on the filesystems the
# series does not convert, each operation must have behaved the same on
# both kernels (waited for the I/O, or not, or found it complete).
both=1
for k in baseline patched; do
	case " $kernels " in
	*" $k "*) ;;
	*) both=0 ;; # one kernel only
	esac
done
case " ${TESTS_ONLY:-hold_time} " in
*" hold_time "*) ;;
*) both=0 ;; # not measured in this run
esac
if [ "$both" = 1 ]; then
	if sh scripts/verdict/hold-time-table.sh -c "$res/baseline-tests/output" \
		"$res/patched-tests/output" >"$res/hold-time.md"; then
		result ok harness/hold-time-table
		log "hold_time measurements (ms, 6.12 / series): $res/hold-time.md"
	else
		result fail harness/hold-time-table "incomplete hold_time measurements, or an unconverted filesystem that behaved differently (above)"
	fi
else
	log "hold_time: the kernels not compared (this run has one kernel, or no hold_time)"
fi

# 7. The verdict must catch real reports from a real kernel: provoke a
# WARN (whose taint turns lock debugging off) and a KASAN use-after-free
# with LKDTM (the negative KUnit suite above provokes real lockdep
# reports).
n=selftest-verdict
log "$n: booting, provoking a WARN and a KASAN report with LKDTM"
guest patched "$n" 300 -- sh -c 'echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT &&
	echo READ_AFTER_FREE >/sys/kernel/debug/provoke-crash/DIRECT'
check_status "$n" 0
verdict_expect "$n" "$res/$n/console.log" warn,kasan,lockdep-off

log "check finished in $(($(date +%s) - t_start))s; logs in $res"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
