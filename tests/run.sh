#!/bin/sh
# Guest-side driver of the system tests.  Run as root inside the guest,
# from the top of the repository:
#
#   sh tests/run.sh [BINDIR]          (BINDIR default build/tests)
#
# For every filesystem configuration it creates a memory-backed null_blk
# device through configfs (512-byte logical sectors, timer completion so
# that end_io runs in hard-IRQ context, a fixed completion delay), makes
# the filesystem, mounts it under /tmp, runs the test binaries and removes
# the device again.  Each binary prints one TAP line per case:
#   ok - FS/TEST/CASE   |   not ok - FS/TEST/CASE: reason   |   ok - ... # SKIP why
# A binary that exits non-zero without reporting a failure gets a
# "not ok - FS/TEST/exit" line here.  After the tests the filesystem is
# checked offline (xfs_repair -n / e2fsck -fn) as FS/fsck/offline.
# The script exits non-zero if any case failed.
#
# Environment:
#   TESTS_FS    configurations to run (default "xfs xfs-reflink ext4")
#   TESTS_ONLY  test names to run (default: all)
#   TESTS_KEEP_GOING=0  stop at the first failing configuration
#   AIOLOCK_KERNEL, AIOLOCK_FEATURE_DIO_LOCK: passed to the tests
#     (see tests/lib/testlib.h)
set -eu

BINDIR=${1:-build/tests}
TESTS_FS=${TESTS_FS:-xfs xfs-reflink ext4}
# Tests on a fast device first, then those that need a slow one, so that
# each configuration re-powers its device at most once in between.
ALL_TESTS="subblock_concurrent stream_subblock extend_race mixed_buffered
subblock_async race_exclusive nowait kill_inflight io_error freeze"
TESTS_ONLY=${TESTS_ONLY:-$ALL_TESTS}
TESTS_KEEP_GOING=${TESTS_KEEP_GOING:-1}

NB=/sys/kernel/config/nullb
DEV=aiotest
MNT=/tmp/aiotest.mnt
SIZE_MB=320
MKFS_DELAY_US=20
PER_TEST_TIMEOUT=300

OUT=$(mktemp -d /tmp/aiotest.XXXXXX)
nfail=0
nok=0
nskip=0

say() {
	echo "# run.sh: $*"
}

# Completion delay (ms) each test wants from the device.
delay_of() {
	case $1 in
	subblock_concurrent | stream_subblock | extend_race | mixed_buffered)
		echo 2 ;;
	*)
		echo 100 ;;
	esac
}

tap_fail() {
	echo "not ok - $1: $2"
	nfail=$((nfail + 1))
}

wait_dev() {
	i=0
	while [ ! -b "/dev/$DEV" ]; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || return 1
		sleep 0.1
	done
}

nb_power() {
	echo "$1" >"$NB/$DEV/power"
}

# nb_create DELAY_US
nb_create() {
	[ -d "$NB" ] || { say "no $NB (null_blk/configfs missing)"; return 1; }
	if [ -d "$NB/$DEV" ]; then
		nb_power 0 2>/dev/null || true
		rmdir "$NB/$DEV"
	fi
	mkdir "$NB/$DEV"
	echo 1 >"$NB/$DEV/memory_backed"
	echo 2 >"$NB/$DEV/irqmode"
	echo $(($1 * 1000)) >"$NB/$DEV/completion_nsec"
	echo "$SIZE_MB" >"$NB/$DEV/size"
	echo 512 >"$NB/$DEV/blocksize"
	echo 128 >"$NB/$DEV/hw_queue_depth"
	nb_power 1
	wait_dev
}

# nb_delay DELAY_US: power-cycle the device with a new completion delay;
# a memory-backed null_blk keeps its data while powered off.
nb_delay() {
	nb_power 0
	echo $(($1 * 1000)) >"$NB/$DEV/completion_nsec"
	nb_power 1
	wait_dev
}

nb_remove() {
	if [ -d "$NB/$DEV" ]; then
		nb_power 0 2>/dev/null || true
		rmdir "$NB/$DEV" || true
	fi
}

do_mkfs() {
	case $1 in
	xfs) mkfs.xfs -q -K -f -b size=4096 -m reflink=0 "/dev/$DEV" ;;
	xfs-reflink) mkfs.xfs -q -K -f -b size=4096 -m reflink=1 "/dev/$DEV" ;;
	ext4) mkfs.ext4 -q -F -b 4096 -E nodiscard "/dev/$DEV" ;;
	*) say "unknown configuration $1"; return 1 ;;
	esac
}

fstype_of() {
	case $1 in
	xfs*) echo xfs ;;
	*) echo ext4 ;;
	esac
}

do_fsck() {
	case $1 in
	xfs*) xfs_repair -n "/dev/$DEV" ;;
	ext4) e2fsck -fn "/dev/$DEV" ;;
	esac
}

do_mount() {
	mkdir -p "$MNT"
	mount -t "$(fstype_of "$1")" "/dev/$DEV" "$MNT"
	mkdir -p "$MNT/t"
}

do_umount() {
	if ! umount "$MNT"; then
		sleep 1
		umount "$MNT"
	fi
}

# Immutable files left by a failed test would block the clean-up.
scrub_dir() {
	for f in "$MNT"/t/* "$MNT"/t/.[!.]*; do
		[ -e "$f" ] || continue
		chattr -i "$f" 2>/dev/null || true
	done
	rm -rf "$MNT/t"
	mkdir -p "$MNT/t"
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
	TEST_FS=$1 TEST_DIR=$MNT/t TEST_DEV=$DEV TEST_NULLB=$NB/$DEV \
		TEST_DELAY_MS=$3 timeout -s KILL "$PER_TEST_TIMEOUT" "$bin" \
		>"$log" 2>&1 </dev/null || rc=$?
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
	scrub_dir
}

run_fs() {
	fs=$1
	say "=== $fs ==="
	if ! nb_create "$MKFS_DELAY_US"; then
		tap_fail "$fs/setup/device" "cannot create null_blk device $DEV"
		return 0
	fi
	if ! do_mkfs "$fs"; then
		tap_fail "$fs/setup/mkfs" "mkfs failed"
		nb_remove
		return 0
	fi
	cur=
	mounted=0
	for t in $ALL_TESTS; do
		case " $(echo "$TESTS_ONLY" | tr '\n' ' ') " in
		*" $t "*) ;;
		*) continue ;;
		esac
		d=$(delay_of "$t")
		if [ "$d" != "$cur" ]; then
			[ "$mounted" = 0 ] || do_umount
			mounted=0
			nb_delay $((d * 1000))
			if ! do_mount "$fs"; then
				tap_fail "$fs/setup/mount" "mount failed"
				nb_remove
				return 0
			fi
			mounted=1
			cur=$d
		fi
		run_test "$fs" "$t" "$d"
		if ! mountpoint -q "$MNT"; then
			tap_fail "$fs/$t/mount" "filesystem no longer mounted"
			mounted=0
			cur=
		fi
	done
	[ "$mounted" = 0 ] || do_umount
	nb_delay "$MKFS_DELAY_US"
	if do_fsck "$fs" >"$OUT/$fs.fsck" 2>&1; then
		echo "ok - $fs/fsck/offline"
		nok=$((nok + 1))
	else
		sed 's/^/# fsck: /' "$OUT/$fs.fsck" | head -40
		tap_fail "$fs/fsck/offline" "offline check found problems"
	fi
	nb_remove
}

say "kernel $(uname -r) AIOLOCK_KERNEL=${AIOLOCK_KERNEL:-unset}" \
	"AIOLOCK_FEATURE_DIO_LOCK=${AIOLOCK_FEATURE_DIO_LOCK:-0}"
if [ -b /dev/nullb0 ]; then
	say "ignoring /dev/nullb0 (boot with null_blk.nr_devices=0)"
fi
T0=$(date +%s)
for fs in $TESTS_FS; do
	run_fs "$fs"
	if [ "$nfail" -ne 0 ] && [ "$TESTS_KEEP_GOING" = 0 ]; then
		break
	fi
done
say "summary: $nok ok, $nfail not ok, $nskip skipped in $(($(date +%s) - T0))s"
rm -rf "$OUT"
[ "$nfail" -eq 0 ]
