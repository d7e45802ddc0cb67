#!/bin/sh
# Guest side of the IOPOLL read benchmark: random 4 KiB O_DIRECT reads on
# an IORING_SETUP_IOPOLL ring (and a plain ring for reference) from a file
# on XFS and ext4, and from the raw device, on a memory-backed null_blk
# device with one submission queue (completions from softirq, no delay:
# irqmode=1) and one poll queue (completion when polled).  Prints probe
# RESULT lines.
#   iopoll-guest.sh BINDIR [REPS [SECONDS [FSLIST]]]
set -eu
bin=$1
reps=${2:-3}
secs=${3:-3}
fslist=${4:-xfs ext4}
NB=/sys/kernel/config/nullb/iopb
mnt=/tmp/iopb.mnt

mkdir "$NB"
echo 1 >"$NB/memory_backed"
echo 1 >"$NB/irqmode"
echo 0 >"$NB/completion_nsec"
echo 512 >"$NB/size"
echo 4096 >"$NB/blocksize"
echo 1 >"$NB/submit_queues"
echo 1 >"$NB/poll_queues"
echo 1 >"$NB/power"
i=0
while [ ! -b /dev/iopb ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "# kernel $(uname -r), io_poll $(cat /sys/block/iopb/queue/io_poll)"

run() { # run FILE LABEL
	for r in $(seq "$reps"); do
		for qd in 1 16; do
			"$bin/iopoll-probe" "$1" "$qd" "$secs" poll "$2"
		done
		"$bin/iopoll-probe" "$1" 1 "$secs" irq "$2"
		echo "# $2 repetition $r done"
	done
}

dd if=/dev/urandom of=/dev/iopb bs=1M count=64 oflag=direct status=none
run /dev/iopb raw
mkdir -p "$mnt"
for fs in $fslist; do
	case $fs in
	xfs) mkfs.xfs -q -f "/dev/iopb" ;;
	ext4) mkfs.ext4 -q -F -E nodiscard "/dev/iopb" ;;
	esac
	mount -t "$fs" /dev/iopb "$mnt"
	dd if=/dev/urandom of="$mnt/f" bs=1M count=64 oflag=direct status=none
	sync
	run "$mnt/f" "$fs"
	umount "$mnt"
done
echo 0 >"$NB/power"
rmdir "$NB"
