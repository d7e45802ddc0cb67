#!/bin/sh
# Guest side of make fstests (scripts/jobs/fstests.sh): run a list of
# fstests tests with one ./check.
#
#   sh fstests-guest.sh FSTESTS_DIR CONFIG LIST
#
# FSTESTS_DIR is a built fstests tree (copied to /tmp), CONFIG a name in
# fstests/configs (xfs, xfs-reflink, ext4, ...), LIST a file of test
# names (generic/091), one per line.  The test and scratch devices are the
# first two disks of run-guest.sh -d: /dev/ubdb and /dev/ubdc under UML,
# /dev/vda and /dev/vdb under QEMU.  The test device is made afresh here.
# Writes to $AIOLOCK_OUT:
#   check.out     what ./check prints, as it prints it: the host reads each
#                 test's result from it (scripts/verdict/fstests-parse.sh),
#                 also when the guest dies part-way
#   results/      fstests' RESULT_BASE (TEST.out.bad, .full, .dmesg, .notrun)
#   local.config  the configuration fstests ran with
#   setup-failed  what failed, if a set-up step did (mkfs, mount points)
# When check.out has not grown for FSTESTS_TEST_TMO seconds (default 1800)
# the test that runs is taken as hung: ./check and everything it started
# are killed, "aiolock: no progress for N s, killed" is appended, and the
# guest powers off at once (a kernel task stuck in D state stays stuck,
# and the hung-task detector has reported it on the console by then).
set -u
: "${AIOLOCK_OUT:?}"
src=${1:?usage: fstests-guest.sh FSTESTS_DIR CONFIG LIST}
config=${2:?usage: fstests-guest.sh FSTESTS_DIR CONFIG LIST}
list=${3:?usage: fstests-guest.sh FSTESTS_DIR CONFIG LIST}
tmo=${FSTESTS_TEST_TMO:-1800}

setup_failed() {
	echo "$*" >"$AIOLOCK_OUT/setup-failed"
	exit 1
}

if [ "${AIOLOCK_BACKEND:-uml}" = qemu ]; then
	test_dev=/dev/vda scratch_dev=/dev/vdb
else
	test_dev=/dev/ubdb scratch_dev=/dev/ubdc
fi
if [ ! -b "$test_dev" ] || [ ! -b "$scratch_dev" ]; then
	setup_failed "no disks $test_dev $scratch_dev"
fi

# NAME FSTYP MKFS_OPTIONS, from the table the host job reads too.
line=$(awk -v c="$config" '$1 == c' "$(dirname "$0")/../../fstests/configs")
[ -n "$line" ] || setup_failed "unknown configuration $config"
fstyp=$(echo "$line" | awk '{ print $2 }')
mkfs_opts=$(echo "$line" | awk '{ $1 = $2 = ""; sub(/^ +/, ""); print }')

mkdir -p /tmp/fstests/test /tmp/fstests/scratch "$AIOLOCK_OUT/results" ||
	setup_failed "mount points"
# shellcheck disable=SC2086 # the options are words
case $fstyp in
xfs) mkfs.xfs -q -f $mkfs_opts "$test_dev" ;;
ext4) mkfs.ext4 -q -F $mkfs_opts "$test_dev" ;;
esac >>"$AIOLOCK_OUT/mkfs.out" 2>&1 || setup_failed "mkfs of $test_dev"

cat >"$AIOLOCK_OUT/local.config" <<EOF
export FSTYP=$fstyp
export TEST_DEV=$test_dev
export TEST_DIR=/tmp/fstests/test
export SCRATCH_DEV=$scratch_dev
export SCRATCH_MNT=/tmp/fstests/scratch
export MKFS_OPTIONS="$mkfs_opts"
export RESULT_BASE=$AIOLOCK_OUT/results
EOF
export HOST_OPTIONS="$AIOLOCK_OUT/local.config"

[ -r "$list" ] || setup_failed "no test list $list"
# A writable copy: tests write into fstests' directory (fio's verify state
# files, for one), and the host tree is read-only here.
rm -rf /tmp/fstests-src
cp -a "$src" /tmp/fstests-src || setup_failed "copy of $src"
cd /tmp/fstests-src || setup_failed "cd /tmp/fstests-src"
out=$AIOLOCK_OUT/check.out
: >"$out"
# shellcheck disable=SC2046 # one word per test
setsid ./check $(grep -v '^#' "$list") >>"$out" 2>&1 &
pid=$!
size=-1
idle=0
while kill -0 "$pid" 2>/dev/null; do
	sleep 10
	now=$(wc -c <"$out")
	if [ "$now" != "$size" ]; then
		size=$now
		idle=0
		continue
	fi
	idle=$((idle + 10))
	if [ "$idle" -ge "$tmo" ]; then
		kill -s KILL -- "-$pid" 2>/dev/null
		# On a line of its own: the test's line has no newline yet.
		printf '\naiolock: no progress for %s s, killed\n' "$idle" >>"$out"
		sync "$out"
		# Waiting for ./check, or the sync of the guest's shutdown,
		# could block on a task stuck in D state until the boot's
		# time is up: power off now (the host sees a guest that died).
		if [ "${AIOLOCK_BACKEND:-uml}" = qemu ]; then
			echo b >/proc/sysrq-trigger
		else
			echo o >/proc/sysrq-trigger
		fi
		sleep 60
	fi
done
wait "$pid"
