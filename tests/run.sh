#!/bin/sh
# Guest-side driver of the system tests.  Run as root inside the guest,
# from the top of the repository:
#
#   sh tests/run.sh [BINDIR]          (BINDIR default build/tests)
#
# It creates a memory-backed null_blk device through configfs (512-byte
# logical sectors, timer completion so that end_io runs in hard-IRQ
# context, a fixed completion delay that each test chooses: the device is
# power-cycled with a new delay when it changes, memory-backed data
# survives that), fills it with stale bytes once, and for every filesystem
# configuration makes the filesystem, mounts it under /tmp, runs the test
# binaries and unmounts it; the device is removed at the end.  Each binary
# prints one TAP line per case:
#   ok - FS/TEST/CASE   |   not ok - FS/TEST/CASE: reason   |   ok - ... # SKIP why
# A binary that exits non-zero without reporting a failure gets a
# "not ok - FS/TEST/exit" line here.  After the tests the filesystem is
# checked offline (xfs_repair -n, e2fsck -fn, ...) as FS/fsck/offline.
#
# Configurations: xfs, xfs-reflink, ext4 and ext2, which the series
# converts, run every test.  btrfs, f2fs and gfs2 (lock_nolock), which it
# leaves on i_dio_count, run OTHER_TESTS: there the tests check data
# only, and hold_time measures without expecting (see
# fs_converted() in tests/lib/testlib.h).  zonefs (on a second, zoned
# null_blk device) and erofs (an image packed by mkfs.erofs) run other_fs,
# the only test that fits them.
#
# Before running anything it prints the plan, every case it will run (the
# binaries list their cases with TEST_LIST=1):
#   1..N
#   # plan: FS/TEST/CASE          (N lines)
# and it ends with "# summary: N ok, N not ok, N skipped".  A run that
# stops before the summary, or leaves a planned case without a result, is
# incomplete (scripts/verdict/tap-count.sh -p -s checks both).  A set-up step
# that fails (device power cycle, unmount, clean-up) aborts the suite with
# a "not ok" line.  The script exits 1 if any case failed, 0 otherwise.
#
# Environment:
#   TESTS_FS    configurations to run (default "xfs xfs-reflink ext4 ext2
#               btrfs f2fs gfs2 zonefs erofs")
#   TESTS_ONLY  test names to run (default: all)
#   TESTS_CASE  space-separated substrings of TEST/CASE names to run
#               (e.g. "race_exclusive/truncate_down immutable-write")
#   TESTS_KEEP_GOING=0  stop at the first failing configuration
#   TESTS_STALE_MB  MB of the device pre-filled with 0xee (default: all)
#   TESTS_SLOW_DELAY_MS  latency of the slow device, which all tests but
#               the fast-device ones and blockgc use (default 100)
#   AIOLOCK_KERNEL, AIOLOCK_FEATURE_DIO_LOCK, AIOLOCK_FEATURE_DIO_LOCK_EXCL:
#     passed to the tests
#     (see tests/lib/testlib.h)
set -eu

BINDIR=${1:-build/tests}
TOP=$(cd "$(dirname "$0")/.." && pwd)
TESTS_FS=${TESTS_FS:-xfs xfs-reflink ext4 ext2 btrfs f2fs gfs2 zonefs erofs}
# Tests on a fast device first, then those that need a slow one, so that
# each configuration re-powers its device at most once in between.  All of
# a configuration's tests share one filesystem, and io_error's append case
# needs its append to get the block its probing write got: nowait_subblock
# runs after it, as its allocations moved ext4's choice of that block.
ALL_TESTS="subblock_concurrent stream_subblock extend_race mixed_buffered
iopoll subblock_async async_submit race_exclusive hold_time nowait
kill_inflight io_error nowait_subblock freeze blockgc other_fs"
# What runs on btrfs, f2fs and gfs2: the tests whose data checks hold on
# any filesystem, and hold_time's measurements.  Not:
# io_error (assumes that an overwrite lands on the block it overwrites:
# btrfs and f2fs write elsewhere), nowait_subblock and freeze (assume
# XFS's and ext4's sub-block and async write paths: btrfs and f2fs write
# sub-block O_DIRECT through the page cache, gfs2 writes beyond EOF so),
# iopoll and nowait (timing only), blockgc (XFS only).
OTHER_TESTS=${OTHER_TESTS:-subblock_concurrent stream_subblock extend_race
mixed_buffered subblock_async async_submit race_exclusive hold_time
kill_inflight}
TESTS_ONLY=${TESTS_ONLY:-$ALL_TESTS}
TESTS_KEEP_GOING=${TESTS_KEEP_GOING:-1}
TESTS_STALE_MB=${TESTS_STALE_MB:-320}
TESTS_SLOW_DELAY_MS=${TESTS_SLOW_DELAY_MS:-100}

NB=/sys/kernel/config/nullb
DEV=aiotest
# zonefs: a zoned device of 8 MB zones, the first three conventional (the
# super block and two conventional files), the rest sequential.
ZDEV=aiozoned
ZSIZE_MB=96
ZONE_MB=8
ZONE_NR_CONV=3
MNT=/tmp/aiotest.mnt
SIZE_MB=320
MKFS_DELAY_US=20
PER_TEST_TIMEOUT=300

OUT=$(mktemp -d /tmp/aiotest.XXXXXX)
nfail=0
nok=0
nskip=0

T0=$(date +%s)
say() {
	echo "# run.sh [$(($(date +%s) - T0))s]: $*"
}

# Completion delay (ms) each test wants from the device.
delay_of() {
	case $1 in
	subblock_concurrent | stream_subblock | extend_race | mixed_buffered | \
	iopoll)
		echo 2 ;;
	# Reads must overlap without a gap even if the guest stalls for most
	# of a device latency.
	blockgc)
		echo 500 ;;
	# The slow device: tests judge timing against its latency (an
	# operation must start, or a submission return, within half of it).
	# An emulated guest (QEMU without KVM) can take tens of milliseconds
	# for one system call, so it needs a slower device.
	*)
		echo "$TESTS_SLOW_DELAY_MS" ;;
	esac
}

tap_fail() {
	echo "not ok - $1: $2"
	nfail=$((nfail + 1))
}

summary() {
	say "$nok ok, $nfail not ok, $nskip skipped in $(($(date +%s) - T0))s${1:+ ($1)}"
	echo "# summary: $nok ok, $nfail not ok, $nskip skipped"
}

# abort NAME REASON: a set-up step failed and the device or the mount is
# in an unknown state; what has not run yet stays unreported.
abort() {
	tap_fail "$1" "$2; aborting the suite"
	summary aborted
	exit 1
}

# selected TEST: is TEST in TESTS_ONLY?
selected() {
	case " $(echo "$TESTS_ONLY" | tr '\n' ' ') " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# tests_of FS: the tests that a configuration runs, in ALL_TESTS order.
tests_of() {
	case $1 in
	zonefs | erofs) echo other_fs ;;
	btrfs | f2fs | gfs2)
		for t in $ALL_TESTS; do
			# 6.12's gfs2 withdraws during hold_time, on both kernels
			# ("fatal: assertion \"!tr->tr_num_buf_new &&
			# !tr->tr_num_databuf_new\" failed" in __gfs2_log_flush(),
			# from a glock's inode_go_sync()).
			[ "$1/$t" != gfs2/hold_time ] || continue
			case " $(echo "$OTHER_TESTS" | tr '\n' ' ') " in
			*" $t "*) [ "$t" = other_fs ] || echo "$t" ;;
			esac
		done
		;;
	*)
		for t in $ALL_TESTS; do
			[ "$t" = other_fs ] || echo "$t"
		done
		;;
	esac
}

# scratch_of FS: the directory the tests work in (zonefs and erofs cannot
# have one made: the tests use the mount itself).
scratch_of() {
	case $1 in
	zonefs | erofs) echo "$MNT" ;;
	*) echo "$MNT/t" ;;
	esac
}

# The device is made and re-timed by scripts/guest/nullb.sh.
nullb() {
	sh "$TOP/scripts/guest/nullb.sh" "$@"
}

# nb_create DELAY_US
nb_create() {
	[ -d "$NB" ] || { say "no $NB (null_blk/configfs missing)"; return 1; }
	[ ! -d "$NB/$DEV" ] || nullb remove "$DEV" 2>/dev/null || rmdir "$NB/$DEV"
	nullb create "$DEV" "$SIZE_MB" $(($1 * 1000)) 128
}

# nb_delay DELAY_US: power-cycle the device with a new completion delay.
# Aborts the suite if the device does not come back.
nb_delay() {
	if ! nullb delay "$DEV" $(($1 * 1000)); then
		abort "setup/device/delay" "cannot power-cycle /dev/$DEV with a completion delay of $1 us"
	fi
	devdelay=$1
}

nb_remove() {
	[ ! -d "$NB/$DEV" ] || nullb remove "$DEV" || true
}

# Fill the device with 0xee before mkfs (which discards nothing), so that
# a block handed out without being zeroed or written shows up as "STALE
# data" in the tests' model checks.  TESTS_STALE_MB limits how much of
# the device is filled (0: none; it costs about 1 s per 32 MB on UML).
stale_fill() {
	[ "$TESTS_STALE_MB" -gt 0 ] || return 0
	[ -f "$OUT/stale" ] ||
		tr '\000' '\356' </dev/zero | head -c 4194304 >"$OUT/stale"
	i=0
	while [ $((i * 4)) -lt "$TESTS_STALE_MB" ]; do
		dd if="$OUT/stale" of="/dev/$DEV" bs=4M seek="$i" oflag=direct \
			status=none || return 1
		i=$((i + 1))
	done
}

do_mkfs() {
	case $1 in
	xfs) mkfs.xfs -q -K -f -b size=4096 -m reflink=0 "/dev/$DEV" ;;
	xfs-reflink) mkfs.xfs -q -K -f -b size=4096 -m reflink=1 "/dev/$DEV" ;;
	ext4) mkfs.ext4 -q -F -b 4096 -E nodiscard "/dev/$DEV" ;;
	ext2) mkfs.ext2 -q -F -b 4096 -E nodiscard "/dev/$DEV" ;;
	btrfs) mkfs.btrfs -q -f -K -s 4096 "/dev/$DEV" ;;
	f2fs) mkfs.f2fs -q -f -t 0 "/dev/$DEV" ;;
	gfs2) mkfs.gfs2 -q -O -p lock_nolock -j 1 -J 16 -b 4096 "/dev/$DEV" ;;
	zonefs) "$BINDIR/mkzonefs" "/dev/$DEV" ;;
	erofs)
		# The image holds other_fs's file, generation 1's pattern.
		rm -rf "$OUT/erofs.src" && mkdir "$OUT/erofs.src" &&
			TEST_PREPARE=1 TEST_FS=erofs TEST_DIR="$OUT/erofs.src" \
				"$BINDIR/other_fs" &&
			mkfs.erofs --quiet "/dev/$DEV" "$OUT/erofs.src"
		;;
	*) say "unknown configuration $1"; return 1 ;;
	esac
}

fstype_of() {
	case $1 in
	xfs*) echo xfs ;;
	*) echo "$1" ;;
	esac
}

# do_fsck FS: exit status 2 when there is no offline checker.
do_fsck() {
	case $1 in
	xfs*) xfs_repair -n "/dev/$DEV" ;;
	ext*) e2fsck -fn "/dev/$DEV" ;;
	btrfs) btrfs check --readonly "/dev/$DEV" ;;
	f2fs) fsck.f2fs --dry-run "/dev/$DEV" ;;
	gfs2) fsck.gfs2 -n "/dev/$DEV" ;;
	erofs) fsck.erofs "/dev/$DEV" ;;
	*) return 2 ;;
	esac
}

# btrfs: without nodatasum, 6.12 writes every O_DIRECT write of a file
# with data checksums through the page cache (fs/btrfs/direct-io.c), and
# no write of the tests would reach iomap's direct I/O there (reads do
# either way; with nodatasum btrfs's checksum-verifying read completion
# does not run).
do_mount() {
	opts=defaults
	[ "$1" != btrfs ] || opts=nodatasum
	mkdir -p "$MNT" &&
		mount -t "$(fstype_of "$1")" -o "$opts" "/dev/$DEV" "$MNT" &&
		mkdir -p "$(scratch_of "$1")"
}

# do_umount FS: an unmount that fails (EBUSY: something still holds the
# filesystem) aborts the suite.
do_umount() {
	if ! umount "$MNT"; then
		sleep 1
		umount "$MNT" ||
			abort "$1/setup/umount" "cannot unmount $MNT"
	fi
}

# scrub_dir FS TEST: empty the scratch directory after a test.  Immutable
# files left by a failed test would block the clean-up.  (zonefs and erofs
# have nothing to remove.)
scrub_dir() {
	[ "$(scratch_of "$1")" = "$MNT/t" ] || return 0
	for f in "$MNT"/t/* "$MNT"/t/.[!.]*; do
		[ -e "$f" ] || continue
		chattr -i "$f" 2>/dev/null || true
	done
	if ! { rm -rf "$MNT/t" && mkdir -p "$MNT/t"; }; then
		abort "$1/$2/cleanup" "cannot empty $MNT/t"
	fi
}

# run_test FS TEST DELAY_MS
run_test() {
	bin=$BINDIR/$2
	log=$OUT/$1.$2.out
	if [ ! -x "$bin" ]; then
		tap_fail "$1/$2/build" "no binary $bin (run make -C tests)"
		return 0
	fi
	say "$1: $2 (device latency $3 ms)"
	t0=$(date +%s)
	rc=0
	TEST_FS=$1 TEST_DIR=$(scratch_of "$1") TEST_DEV=$DEV TEST_NULLB=$NB/$DEV \
		TEST_DELAY_MS=$3 "$bin" >"$log" 2>&1 </dev/null &
	pid=$!
	# Every case bounds itself with alarm(); this catches a process that
	# cannot take the signal because it is stuck in the kernel.
	ticks=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$ticks" -ge $((PER_TEST_TIMEOUT * 5)) ]; then
			kill -KILL "$pid" 2>/dev/null || true
			sleep 2
			if kill -0 "$pid" 2>/dev/null; then
				cat "$log"
				abort "$1/$2/hang" "still running after ${PER_TEST_TIMEOUT}s and unkillable (stuck in the kernel)"
			fi
			break
		fi
		sleep 0.2
		ticks=$((ticks + 1))
	done
	wait "$pid" || rc=$?
	cat "$log"
	ok=$(grep -c '^ok ' "$log" || true)
	sk=$(grep -c '^ok .* # SKIP' "$log" || true)
	nf=$(grep -c '^not ok ' "$log" || true)
	nok=$((nok + ok - sk))
	nskip=$((nskip + sk))
	nfail=$((nfail + nf))
	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
		tap_fail "$1/$2/exit" "exited with status $rc without reporting a case"
	elif [ "$rc" -eq 0 ] && [ "$nf" -ne 0 ]; then
		tap_fail "$1/$2/exit" "reported a failure but exited with status 0"
	fi
	say "$1: $2 took $(($(date +%s) - t0))s, status $rc"
	# A test that failed half-way (io_error) may leave bad blocks behind:
	# the next mkfs would fail on them.
	echo "-0-$((SIZE_MB * 2048 - 1))" >"$NB/$DEV/badblocks" 2>/dev/null || true
	# A failed freeze test must not leave the filesystem frozen.
	fsfreeze -u "$MNT" 2>/dev/null || true
	scrub_dir "$1" "$2"
}

# run_fs FS: zonefs runs on a zoned device of its own, made for it and
# removed after it.
run_fs() {
	say "=== $1 ==="
	if [ "$1" != zonefs ]; then
		run_fs_on "$1"
		return 0
	fi
	if ! nullb create "$ZDEV" "$ZSIZE_MB" $((MKFS_DELAY_US * 1000)) 128 \
		"$ZONE_MB" "$ZONE_NR_CONV"; then
		tap_fail "$1/setup/device" "cannot create the zoned null_blk device $ZDEV (no BLK_DEV_ZONED?)"
		rmdir "$NB/$ZDEV" 2>/dev/null || true
		return 0
	fi
	DEV=$ZDEV
	saved=$devdelay
	devdelay=$MKFS_DELAY_US
	run_fs_on "$1"
	nullb remove "$ZDEV" ||
		abort "$1/setup/device/remove" "cannot remove /dev/$ZDEV"
	DEV=aiotest
	devdelay=$saved
}

run_fs_on() {
	fs=$1
	[ "$devdelay" = "$MKFS_DELAY_US" ] || nb_delay "$MKFS_DELAY_US"
	say "$fs: mkfs"
	if ! do_mkfs "$fs"; then
		tap_fail "$fs/setup/mkfs" "mkfs failed"
		return 0
	fi
	cur=
	mounted=0
	for t in $(tests_of "$fs"); do
		selected "$t" || continue
		d=$(delay_of "$t")
		if [ "$d" != "$cur" ]; then
			[ "$mounted" = 0 ] || do_umount "$fs"
			mounted=0
			nb_delay $((d * 1000))
			if ! do_mount "$fs"; then
				tap_fail "$fs/setup/mount" "mount failed"
				return 0
			fi
			mounted=1
			cur=$d
			say "$fs: mounted with device latency $d ms"
		fi
		run_test "$fs" "$t" "$d"
		if ! mountpoint -q "$MNT"; then
			tap_fail "$fs/$t/mount" "filesystem no longer mounted"
			mounted=0
			cur=
		fi
	done
	[ "$mounted" = 0 ] || do_umount "$fs"
	nb_delay "$MKFS_DELAY_US"
	say "$fs: unmounted, fsck"
	rc=0
	do_fsck "$fs" >"$OUT/$fs.fsck" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok - $fs/fsck/offline"
		nok=$((nok + 1))
	elif [ "$rc" = 2 ] && [ "$fs" = zonefs ]; then
		echo "ok - $fs/fsck/offline # SKIP no offline checker for $fs"
		nskip=$((nskip + 1))
	else
		sed 's/^/# fsck: /' "$OUT/$fs.fsck" | head -40
		tap_fail "$fs/fsck/offline" "offline check found problems"
	fi
}

# The plan: every case of every configuration, listed by the binaries
# themselves (TEST_LIST=1), and each configuration's offline check.
plan() {
	for fs in $TESTS_FS; do
		for t in $(tests_of "$fs"); do
			selected "$t" || continue
			[ -x "$BINDIR/$t" ] || continue # reported as FS/TEST/build
			if ! TEST_LIST=1 TEST_FS=$fs TEST_DIR=$OUT \
				TEST_DELAY_MS="$(delay_of "$t")" "$BINDIR/$t" \
				>"$OUT/list" 2>&1 </dev/null; then
				# The listing's own "not ok" line follows the plan.
				echo "$fs/$t/list"
				continue
			fi
			sed -n 's/^plan - //p' "$OUT/list"
		done
		echo "$fs/fsck/offline"
	done
}

plan >"$OUT/plan"
echo "1..$(grep -c -v '/list$' "$OUT/plan" || true)"
grep -v '/list$' "$OUT/plan" | sed 's/^/# plan: /' || true
for l in $(grep '/list$' "$OUT/plan" || true); do
	tap_fail "$l" "listing the cases failed"
done
say "kernel $(uname -r) AIOLOCK_KERNEL=${AIOLOCK_KERNEL:-unset}" \
	"AIOLOCK_FEATURE_DIO_LOCK=${AIOLOCK_FEATURE_DIO_LOCK:-0}" \
	"AIOLOCK_FEATURE_DIO_LOCK_EXCL=${AIOLOCK_FEATURE_DIO_LOCK_EXCL:-1}"
if [ -b /dev/nullb0 ]; then
	say "ignoring /dev/nullb0 (boot with null_blk.nr_devices=0)"
fi
# One device for all configurations, pre-filled once; each configuration
# makes a new filesystem on it.
devdelay=$MKFS_DELAY_US
if nb_create "$MKFS_DELAY_US"; then
	say "device /dev/$DEV ready, filling $TESTS_STALE_MB MB with stale bytes"
	# Without the fill, the tests' stale-data checks check nothing.
	stale_fill ||
		abort "setup/device/stale-fill" "cannot pre-fill /dev/$DEV with stale bytes"
else
	tap_fail "setup/device/create" "cannot create null_blk device $DEV"
	TESTS_FS=
fi
for fs in $TESTS_FS; do
	run_fs "$fs"
	if [ "$nfail" -ne 0 ] && [ "$TESTS_KEEP_GOING" = 0 ]; then
		break
	fi
done
nb_remove
rm -rf "$OUT"
summary
[ "$nfail" -eq 0 ]
