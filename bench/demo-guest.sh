#!/bin/sh
# Guest side of `make demo`: XFS (4 KiB blocks) on a null_blk disk with
# 512-byte sectors and a fixed completion latency; sub-block async direct
# writes into fresh space and over written data, through libaio and
# io_uring.  Prints RESULT lines.
#   demo-guest.sh BENCHDIR COMPLETION_NSEC
set -eu
bin=$1
lat=$2
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/guest/nullb.sh" create demo 1024 "$lat"
mkfs.xfs -q -K -f -b size=4096 /dev/demo
mkdir -p /tmp/demo
mount -t xfs /dev/demo /tmp/demo
for engine in libaio io_uring; do
	u=
	[ "$engine" = io_uring ] && u=-u
	for mode in append hole unwritten overwrite; do
		# shellcheck disable=SC2086
		"$bin/subblock-probe" -d /tmp/demo -f 16 -n 4096 -q 16 -m "$mode" $u
	done
done
umount /tmp/demo
sh "$top/scripts/guest/nullb.sh" remove demo
echo "RESULT device_latency_us=$((lat / 1000))"
