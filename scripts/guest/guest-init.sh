#!/bin/sh
# init for the guest, started by run-guest.sh through init=.  The host
# root is mounted read-only (hostfs under UML, virtio-9p under QEMU); this
# sets up the minimum a test needs, runs the command described in
# $AIOLOCK_RUN/cmd, records its exit status and stops the guest.  Never
# exits (init must not).
set -u
# Set on the kernel command line by run-guest.sh.  AIOLOCK_RUN is the
# results directory: a host path (UML) or a 9p mount tag (QEMU).
: "${AIOLOCK_RUN:?}" "${AIOLOCK_KERNEL:=unknown}" "${AIOLOCK_CWD:=/}"
: "${AIOLOCK_BACKEND:=uml}"
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
# Writable results directory shared with the host.
mount -t tmpfs tmpfs /mnt
mkdir -p /mnt/out /mnt/cwd
if [ "$AIOLOCK_BACKEND" = qemu ]; then
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 \
		"$AIOLOCK_RUN" /mnt/out
	# The scratch mounts below may hide the directory the command runs
	# in (a checkout under /tmp, say): keep a handle on it.
	mount --bind "$AIOLOCK_CWD" /mnt/cwd
else
	mount -t hostfs -o "$AIOLOCK_RUN" none /mnt/out
fi
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t configfs configfs /sys/kernel/config
mount -t debugfs debugfs /sys/kernel/debug
hostname aiolock-guest

# Show a hidden working directory again, read-only, at the same path.
if [ ! -d "$AIOLOCK_CWD" ]; then
	mkdir -p "$AIOLOCK_CWD"
	if [ "$AIOLOCK_BACKEND" = qemu ]; then
		mount --bind /mnt/cwd "$AIOLOCK_CWD"
		mount -o remount,bind,ro "$AIOLOCK_CWD"
	else
		mount -r -t hostfs -o "$AIOLOCK_CWD" none "$AIOLOCK_CWD"
	fi
fi

AIOLOCK_OUT=/mnt/out
export AIOLOCK_OUT AIOLOCK_KERNEL AIOLOCK_BACKEND HOME=/tmp TMPDIR=/tmp
echo "aiolock-guest: kernel $(uname -r) ($AIOLOCK_KERNEL), running $AIOLOCK_OUT/cmd"
cd "$AIOLOCK_CWD" || cd /
# The command's output goes to the results file only: on the console a
# partial line of it could hide the start of a kernel report from
# scripts/verdict/verdict.sh.  cmd writes its status itself (see run-guest.sh).
sh "$AIOLOCK_OUT/cmd" </dev/null >"$AIOLOCK_OUT/output" 2>&1
sync
echo "aiolock-guest: done, status $(cat "$AIOLOCK_OUT/status" 2>/dev/null)"
umount /mnt/out 2>/dev/null
# Power off (UML); QEMU runs with -no-reboot and no ACPI: a reboot ends it.
if [ "$AIOLOCK_BACKEND" = qemu ]; then
	echo b >/proc/sysrq-trigger
else
	echo o >/proc/sysrq-trigger
fi
sleep 60
