#!/bin/sh
# init for the UML guest, started by run-guest.sh through init=.  The host
# root is mounted read-only through hostfs; this sets up the minimum a test
# needs, runs the command described in $AIOLOCK_RUN/cmd, records its exit
# status and powers the guest off.  Never exits (init must not).
set -u
# Set on the kernel command line by run-guest.sh.
: "${AIOLOCK_RUN:?}" "${AIOLOCK_KERNEL:=unknown}" "${AIOLOCK_CWD:=/}"
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t configfs configfs /sys/kernel/config
mount -t debugfs debugfs /sys/kernel/debug
# Writable results directory shared with the host.
mount -t tmpfs tmpfs /mnt
mkdir -p /mnt/out
mount -t hostfs -o "$AIOLOCK_RUN" none /mnt/out
hostname aiolock-guest

# The scratch mounts above may hide the directory the command runs in (a
# checkout under /tmp, say): show it again, read-only, at the same path.
if [ ! -d "$AIOLOCK_CWD" ]; then
	mkdir -p "$AIOLOCK_CWD"
	mount -r -t hostfs -o "$AIOLOCK_CWD" none "$AIOLOCK_CWD"
fi

AIOLOCK_OUT=/mnt/out
export AIOLOCK_OUT AIOLOCK_KERNEL HOME=/tmp TMPDIR=/tmp
echo "aiolock-guest: kernel $(uname -r) ($AIOLOCK_KERNEL), running $AIOLOCK_OUT/cmd"
cd "$AIOLOCK_CWD" || cd /
# The command's output goes to the results file only: on the console a
# partial line of it could hide the start of a kernel report from
# scripts/verdict.sh.  cmd writes its status itself (see run-guest.sh).
sh "$AIOLOCK_OUT/cmd" </dev/null >"$AIOLOCK_OUT/output" 2>&1
sync
echo "aiolock-guest: done, status $(cat "$AIOLOCK_OUT/status" 2>/dev/null)"
umount /mnt/out 2>/dev/null
echo o >/proc/sysrq-trigger
sleep 60
