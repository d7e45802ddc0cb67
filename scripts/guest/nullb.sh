#!/bin/sh
# Create, re-time or remove a memory-backed null_blk disk through configfs,
# inside the guest (boot with null_blk.nr_devices=0).
#   nullb.sh create NAME SIZE_MB COMPLETION_NSEC [QUEUE_DEPTH [ZONE_MB NR_CONV]]
#                                                               -> /dev/NAME
#   nullb.sh delay NAME COMPLETION_NSEC
#   nullb.sh remove NAME
# Completions are timer driven (irqmode=2), so they arrive in hard-IRQ
# context after COMPLETION_NSEC, as on real hardware; 512-byte sectors.
# The disk has one poll queue for polled I/O (REQ_POLLED, io_uring
# IORING_SETUP_IOPOLL): polled requests complete when they are polled, at
# once, whatever the completion delay.
# With ZONE_MB the disk is zoned (host-managed): zones of ZONE_MB, the
# first NR_CONV of them conventional, the rest sequential-write-required.
# A power cycle (delay) keeps the data but not the zones' state: every
# sequential zone comes back empty, its write pointer at its start.
# delay power-cycles the disk with a new completion delay: a memory-backed
# null_blk keeps its data while powered off.
set -eu
cfs=/sys/kernel/config/nullb

# wait_dev NAME: the block device appears a moment after power-on.
wait_dev() {
	i=0
	while [ ! -b "/dev/$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -b "/dev/$1" ] || { echo "nullb.sh: /dev/$1 did not appear" >&2; exit 1; }
}

# set_delay DIR NSEC
set_delay() {
	if [ "$2" -gt 0 ]; then
		echo 2 >"$1/irqmode"
		echo "$2" >"$1/completion_nsec"
	else
		echo 0 >"$1/irqmode"
	fi
}

case ${1:-} in
create)
	d=$cfs/$2
	mkdir "$d"
	echo 1 >"$d/memory_backed"
	echo 512 >"$d/blocksize"
	echo "$3" >"$d/size"
	set_delay "$d" "$4"
	[ -z "${5:-}" ] || echo "$5" >"$d/hw_queue_depth"
	if [ -n "${6:-}" ]; then
		echo 1 >"$d/zoned"
		echo "$6" >"$d/zone_size"
		echo "${7:-0}" >"$d/zone_nr_conv"
	fi
	# One is the module's default and the most a disk can have; say so.
	echo 1 >"$d/poll_queues"
	echo 1 >"$d/power"
	wait_dev "$2"
	;;
delay)
	d=$cfs/$2
	echo 0 >"$d/power"
	set_delay "$d" "$3"
	echo 1 >"$d/power"
	wait_dev "$2"
	;;
remove)
	echo 0 >"$cfs/$2/power"
	rmdir "$cfs/$2"
	;;
*)
	echo "usage: nullb.sh create NAME SIZE_MB COMPLETION_NSEC [QUEUE_DEPTH [ZONE_MB NR_CONV]] | delay NAME COMPLETION_NSEC | remove NAME" >&2
	exit 2
	;;
esac
