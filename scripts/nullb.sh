#!/bin/sh
# Create or remove a memory-backed null_blk disk through configfs, inside
# the guest (boot with null_blk.nr_devices=0).
#   nullb.sh create NAME SIZE_MB COMPLETION_NSEC   -> /dev/NAME
#   nullb.sh remove NAME
# Completions are timer driven (irqmode=2), so they arrive in hard-IRQ
# context after COMPLETION_NSEC, as on real hardware; 512-byte sectors.
set -eu
cfs=/sys/kernel/config/nullb
case ${1:-} in
create)
	d=$cfs/$2
	mkdir "$d"
	echo 1 >"$d/memory_backed"
	echo 512 >"$d/blocksize"
	echo "$3" >"$d/size"
	if [ "$4" -gt 0 ]; then
		echo 2 >"$d/irqmode"
		echo "$4" >"$d/completion_nsec"
	else
		echo 0 >"$d/irqmode"
	fi
	echo 1 >"$d/power"
	i=0
	while [ ! -b "/dev/$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -b "/dev/$2" ] || { echo "nullb.sh: /dev/$2 did not appear" >&2; exit 1; }
	;;
remove)
	echo 0 >"$cfs/$2/power"
	rmdir "$cfs/$2"
	;;
*)
	echo "usage: nullb.sh create NAME SIZE_MB COMPLETION_NSEC | remove NAME" >&2
	exit 2
	;;
esac
