#!/bin/sh
# Guest side of `make bench`: one pass over the workload matrix on the
# running kernel.  Results go to $AIOLOCK_OUT: fio JSON in fio/, probe
# RESULT lines in probes.txt, submission-time distributions in hist/, the
# rwsem microbenchmark in rwsem-bench.txt.
#   bench-guest.sh BINDIR MODULE full|quick
# MODULE is the rwsem microbenchmark module built for this kernel, or "".
# BENCH_RUNTIME and BENCH_RAMP (fio time values) set the length of each fio
# job, BENCH_J3_QD J3's queue depth (default 16), BENCH_QUICK_DEV the quick
# set's device (bench/matrix.sh).
set -eu
bin=$1
mod=$2
set=$3
top=$(cd "$(dirname "$0")/.." && pwd)
out=$AIOLOCK_OUT
mnt=/tmp/bench
export FIO_RUNTIME="${BENCH_RUNTIME:-1500ms}" FIO_RAMP="${BENCH_RAMP:-500ms}"
export FIO_J3_QD="${BENCH_J3_QD:-16}"
mkdir -p "$out/fio" "$out/hist" "$mnt"
: >"$out/probes.txt"

# The microbenchmark is a KUnit suite: it runs when the module loads.
if [ -n "$mod" ]; then
	insmod "$mod"
	dmesg | sed -n \
		-e 's/.*rwsem_bench: \([a-z_+]*\): \([0-9.]*\) ns\/pair.*/RESULT rwsem op=\1 ns_per_pair=\2/p' \
		-e 's/.*rwsem_bench: sizeof(struct rw_semaphore): \([0-9]*\) bytes.*/RESULT rwsem op=sizeof bytes=\1/p' \
		>"$out/rwsem-bench.txt"
	# How the module measured, for the report's text.
	dmesg | sed -n 's/.*rwsem_bench: .*(best of \([0-9]*\) x \([0-9]*\)).*/RESULT rwsem-loop rounds=\1 pairs=\2/p' |
		head -n 1 >>"$out/rwsem-bench.txt"
	# The suite's own KTAP result line, "ok N rwsem_disown_bench"
	# (not "not ok ..."), printk timestamp removed.
	dmesg | sed 's/^\[ *[0-9]*\.[0-9]*\] //' |
		grep -qE '^ok [0-9]+ rwsem_disown_bench( |$)' ||
		{ echo "bench-guest: rwsem microbenchmark did not pass" >&2; exit 1; }
fi

. "$top/bench/matrix.sh"
devs=$(bench_devs "$set") || {
	echo "bench-guest: unknown set '$set'" >&2
	exit 2
}

dev_up() {
	case $1 in
	nb*)
		sh "$top/scripts/guest/nullb.sh" create "$1" 1024 "$((${1#nb} * 1000))"
		echo "/dev/$1"
		;;
	ubd)
		# The file-backed disk: a UML block device, or virtio-blk under
		# QEMU (scripts/jobs/bench.sh attaches it).
		case ${AIOLOCK_BACKEND:-uml} in
		qemu) echo /dev/vda ;;
		*) echo /dev/ubdb ;;
		esac
		;;
	esac
}

dev_down() {
	case $1 in
	nb*) sh "$top/scripts/guest/nullb.sh" remove "$1" ;;
	esac
}

# The last references to files of a process that just exited (aio
# contexts, deferred fput) can go away a moment after it: retry unmount.
unmount() {
	i=0
	while mountpoint -q "$mnt"; do
		umount "$mnt" 2>/dev/null && return 0
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "bench-guest: cannot unmount $mnt" >&2; exit 1; }
		sleep 0.1
	done
}

# A fresh filesystem for every measurement.
fresh_fs() { # fresh_fs FS DEV
	unmount
	bench_mkfs "$1" "$2"
	mount -t "$1" "$2" "$mnt"
}

fio_run() { # fio_run ID JOBFILE
	fio --output-format=json --output="$out/fio/$1.json" "$top/bench/fio/$2"
}

# A probe must exit 0, print its RESULT line, and report no I/O error and
# no data that failed verification: a kernel that corrupts data fails the
# benchmark instead of looking fast.
probe() { # probe ID CMD...
	id=$1
	shift
	rc=0
	"$@" >"$out/probe.out" 2>&1 || rc=$?
	r=$(grep '^RESULT ' "$out/probe.out" || true)
	bad=
	[ "$rc" -eq 0 ] || bad="exit status $rc"
	[ -n "$r" ] || bad="${bad:+$bad, }no RESULT line"
	for x in $r; do
		case $x in
		errors=* | verify_bad=* | dio_errors=*)
			[ "${x#*=}" = 0 ] || bad="${bad:+$bad, }$x" ;;
		esac
	done
	if [ -n "$bad" ]; then
		echo "bench-guest: $id failed: $bad" >&2
		sed 's/^/bench-guest:   /' "$out/probe.out" >&2
		exit 1
	fi
	echo "ID $id $r" >>"$out/probes.txt"
}

for d in $devs; do
	dev=$(dev_up "$d")
	if want "$set" j0 "$d"; then
		for rw in randread randwrite; do
			[ "$set" = quick ] && [ $rw = randread ] && continue
			FIO_TARGET=$dev FIO_RW=$rw fio_run "j0.$d.raw.libaio.$rw" j0-raw.fio
		done
	fi
	for fs in xfs ext4 ext2; do
		if want "$set" j1 "$d" $fs; then
			for engine in libaio io_uring; do
				[ "$d" = ubd ] && [ $engine = io_uring ] && continue
				for rw in randread randwrite; do
					[ "$set" = quick ] && { [ $engine = io_uring ] || [ $rw = randread ]; } && continue
					fresh_fs $fs "$dev"
					FIO_TARGET=$mnt FIO_RW=$rw FIO_ENGINE=$engine \
						fio_run "j1.$d.$fs.$engine.$rw" j1-aligned.fio
				done
			done
		fi
		if want "$set" j2 "$d" $fs; then
			fresh_fs $fs "$dev"
			FIO_TARGET=$mnt fio_run "j2.$d.$fs.libaio.randrw" j2-subblock-overwrite.fio
		fi
		if want "$set" j3 "$d" $fs; then
			for engine in libaio io_uring; do
				[ "$d" = ubd ] && [ $engine = io_uring ] && continue
				[ "$set" = quick ] && [ $fs != xfs ] && [ $engine = io_uring ] && continue
				[ $fs = ext2 ] && [ $engine = io_uring ] && continue
				for fa in none truncate native; do
					# ext2 has no fallocate(), no unwritten extents
					[ $fs = ext2 ] && [ $fa = native ] && continue
					case $fa in
					none) mode=append ;;
					truncate) mode=hole ;;
					native) mode=unwritten ;;
					esac
					fresh_fs $fs "$dev"
					FIO_TARGET=$mnt FIO_ENGINE=$engine FIO_FALLOC=$fa \
						fio_run "j3.$d.$fs.$engine.$mode" j3-subblock-fresh.fio
				done
			done
		fi
		if want "$set" j4 "$d" $fs; then
			fresh_fs $fs "$dev"
			fio --output=/dev/null --name=layout --filename="$mnt/j4.file" \
				--size=64m --bs=1m --rw=write --direct=1
			FIO_TARGET=$mnt fio_run "j4.$d.$fs.libaio.mixed" j4-mixed.fio
		fi
		if want "$set" j5 "$d" $fs; then
			for op in truncate falloc punch; do
				[ "$set" = quick ] && [ $op != truncate ] && continue
				fresh_fs $fs "$dev"
				probe "j5.$d.$fs.libaio.$op" "$bin/meta-probe" -d "$mnt" -o $op -n 200 -q 16
			done
		fi
		if want "$set" j6 "$d" $fs; then
			for engine in libaio io_uring; do
				[ $fs = ext2 ] && [ $engine = io_uring ] && continue
				u=
				[ $engine = io_uring ] && u=-u
				# Unwritten extents behave like holes here (J3 has both).
				for mode in append hole overwrite; do
					[ "$set" = quick ] && { [ $engine = io_uring ] ||
						[ $mode = hole ]; } && continue
					fresh_fs $fs "$dev"
					# shellcheck disable=SC2086
					probe "j6.$d.$fs.$engine.$mode" "$bin/subblock-probe" \
						-d "$mnt" -f 16 -n 4096 -q 16 -m $mode $u \
						-H "$out/hist/j6.$d.$fs.$engine.$mode"
				done
			done
		fi
	done
	unmount
	dev_down "$d"
done
echo "bench-guest: done"
