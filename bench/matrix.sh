# The benchmark matrix: the workloads, the devices of each set and which
# workload runs on which device.  Sourced by bench/bench-guest.sh, which
# runs it, and by scripts/jobs/bench-matrix.sh, which prints the README's table
# from it.
# shellcheck shell=sh

# The quick set's device is BENCH_QUICK_DEV (default nb200): where the
# host makes UML's system calls slower, a slower device keeps the device
# latency above the cost of a system call.
bench_devs() { # bench_devs full|quick
	case $1 in
	full) echo "nb0 nb20 nb200 ubd" ;;
	quick) echo "${BENCH_QUICK_DEV:-nb200}" ;;
	*) return 1 ;;
	esac
}

# bench_mkfs FS DEV: the filesystem every benchmark runs on.
bench_mkfs() {
	case $1 in
	xfs) mkfs.xfs -q -f -K -b size=4096 -s size=512 "$2" ;;
	ext4) mkfs.ext4 -q -F -E nodiscard,lazy_itable_init=0 -b 4096 "$2" ;;
	ext2) mkfs.ext2 -q -F -E nodiscard -b 4096 "$2" ;;
	esac
}

# shellcheck disable=SC2034 # used by the scripts that source this
bench_jobs="j0 j1 j2 j3 j4 j5 j6"

# bench_job JOB: "SOURCE|WHAT" for the README's table.
bench_job() {
	case $1 in
	j0) echo 'fio/j0-raw.fio|4 KiB random read/write on the raw device, libaio QD32' ;;
	j1) echo 'fio/j1-aligned.fio|aligned 4 KiB random read/overwrite, libaio and io_uring QD32' ;;
	j2) echo 'fio/j2-subblock-overwrite.fio|512-byte random read/overwrite of written data, libaio QD32' ;;
	j3) echo 'fio/j3-subblock-fresh.fio|512-byte writes past EOF, into holes, into unwritten extents; 16 files, one submitter, QD16, libaio and io_uring' ;;
	j4) echo 'fio/j4-mixed.fio|direct reads QD32 + rate-limited buffered writes to the same file' ;;
	j5) echo 'meta-probe.c|latency of truncate, fallocate, punch hole with direct I/O in flight' ;;
	j6) echo 'subblock-probe.c|time spent in io_submit / io_uring_enter for 512-byte writes, as a distribution' ;;
	esac
}

# Which parts of the matrix run where.  The quick set: everything but J4,
# on XFS only except for J3 (ext4 and ext2 with libaio only) and J6 (ext2
# too; further cut down in the loops of bench-guest.sh).  ext2 runs the
# sub-block jobs only (J2, J3, J6), with libaio.
want() { # want SET WORKLOAD DEV [FS]
	if [ "${4:-}" = ext2 ]; then
		case $2 in
		j2) [ "$1" = full ] || return 1 ;;
		j3 | j6) ;;
		*) return 1 ;;
		esac
	fi
	if [ "$1" = quick ]; then
		case $2 in
		j4) return 1 ;;
		j0 | j3) return 0 ;;
		j6) [ "${4:-}" = xfs ] || [ "${4:-}" = ext2 ] ;;
		*) [ "${4:-}" = xfs ] ;;
		esac
		return
	fi
	case $2-$3 in
	j0-* | j3-*) return 0 ;;
	j1-nb20 | j1-ubd) return 0 ;;
	j2-nb0 | j2-nb200 | j2-ubd) return 0 ;;
	j4-nb200 | j5-nb200) return 0 ;;
	j6-nb200 | j6-ubd) return 0 ;;
	esac
	return 1
}
