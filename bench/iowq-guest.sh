#!/bin/sh
# Guest side of `make bench-iowq`: where J3's io_uring writes go and wait.
# For each filesystem, engine (io_uring, libaio for reference) and J3 mode,
# on a fresh filesystem on a null_blk device with a 200 us completion
# latency, runs J3 (bench/fio/j3-subblock-fresh.fio) while
#  - the io_uring:io_uring_submit_req and io_uring:io_uring_queue_async_work
#    tracepoints count the requests submitted and those punted to io-wq,
#    hashed (serialised per inode) or not;
#  - bench/iowq-sample.c samples the device's requests in flight, the
#    number of io-wq workers and the wait channels of all fio threads.
# Prints one RESULT line per case and the sampler's WCHAN lines.
#   iowq-guest.sh BINDIR [FSLIST]
# BENCH_RUNTIME and BENCH_RAMP (fio time values) set the length of each run,
# IOWQ_INTERVAL_MS the sampling interval (default 50).
set -eu
bin=$1
fslist=${2:-xfs ext4 ext2}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$AIOLOCK_OUT
mnt=/tmp/iowq
tr=/sys/kernel/tracing
export FIO_RUNTIME="${BENCH_RUNTIME:-3s}" FIO_RAMP="${BENCH_RAMP:-500ms}"
export FIO_J3_QD="${BENCH_J3_QD:-16}"
mkdir -p "$mnt" "$out/fio"

[ -d "$tr/events" ] || mount -t tracefs nodev "$tr"
[ -d "$tr/events/io_uring" ] || { echo "iowq-guest: no io_uring tracepoints" >&2; exit 1; }
echo 16384 >"$tr/buffer_size_kb"

. "$top/bench/matrix.sh"
sh "$top/scripts/guest/nullb.sh" create nb200 1024 200000
dev=/dev/nb200

fresh_fs() { # fresh_fs FS
	if mountpoint -q "$mnt"; then
		i=0
		until umount "$mnt" 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 50 ] || { echo "iowq-guest: cannot unmount $mnt" >&2; exit 1; }
			sleep 0.1
		done
	fi
	bench_mkfs "$1" "$dev"
	mount -t "$1" "$dev" "$mnt"
}

for fs in $fslist; do
	for engine in io_uring libaio; do
		for fa in none truncate native; do
			# ext2 has no fallocate(), no unwritten extents
			[ "$fs" = ext2 ] && [ $fa = native ] && continue
			case $fa in
			none) mode=append ;;
			truncate) mode=hole ;;
			native) mode=unwritten ;;
			esac
			id=$fs.$engine.$mode
			fresh_fs "$fs"
			echo 0 >"$tr/tracing_on"
			: >"$tr/trace"
			echo 1 >"$tr/events/io_uring/io_uring_submit_req/enable"
			echo 1 >"$tr/events/io_uring/io_uring_queue_async_work/enable"
			echo 1 >"$tr/tracing_on"
			"$bin/iowq-sample" -b nb200 -i "${IOWQ_INTERVAL_MS:-50}" >"$out/sample.txt" &
			spid=$!
			FIO_TARGET=$mnt FIO_ENGINE=$engine FIO_FALLOC=$fa \
				fio --output-format=json --output="$out/fio/$id.json" \
				"$top/bench/fio/j3-subblock-fresh.fio"
			kill -TERM $spid
			wait $spid
			echo 0 >"$tr/tracing_on"
			echo 0 >"$tr/events/io_uring/enable"
			lost=$(sed -n 's/^overrun: //p' "$tr"/per_cpu/cpu*/stats | awk '{ s += $1 } END { print s + 0 }')
			[ "$lost" -eq 0 ] || { echo "iowq-guest: $id: $lost trace events lost" >&2; exit 1; }
			submitted=$(grep -c ' io_uring_submit_req: ' "$tr/trace" || true)
			hashed=$(grep -c ' io_uring_queue_async_work: .* hashed queue' "$tr/trace" || true)
			normal=$(grep -c ' io_uring_queue_async_work: .* normal queue' "$tr/trace" || true)
			iops=$(jq '.jobs[0].write.iops' "$out/fio/$id.json")
			errors=$(jq '.jobs[0].error' "$out/fio/$id.json")
			echo "RESULT id=$id iops=$iops errors=$errors submitted=$submitted punted_hashed=$hashed punted_normal=$normal $(sed -n 's/^RESULT //p' "$out/sample.txt")"
			sed -n "s/^WCHAN /WCHAN id=$id /p" "$out/sample.txt"
		done
	done
done
umount "$mnt"
sh "$top/scripts/guest/nullb.sh" remove nb200
echo "iowq-guest: done"
