#!/bin/sh
# Guest side of the locktorture step of `make check-smp`/`check-rt`: load
# the kernel's locktorture module once per lock type, let it run, unload it
# and report the module's own verdict as one TAP line per type.
#
#   sh tests/locktorture.sh KBUILD_OUT SECONDS TYPE...
#
# KBUILD_OUT is the kernel's build directory (the modules are loaded from
# there with insmod; the guest sees the host's files).  Exits 1 if any type
# failed.
set -eu
out=$1
secs=$2
shift 2
echo "1..$#"
nfail=0
insmod "$out/kernel/torture.ko"
for t in "$@"; do
	if ! insmod "$out/kernel/locking/locktorture.ko" torture_type="$t" \
		stat_interval="$secs" verbose=0; then
		echo "not ok - locktorture/$t: insmod failed"
		nfail=$((nfail + 1))
		continue
	fi
	sleep "$secs"
	rmmod locktorture
	end=$(dmesg | grep -F "$t-torture:--- End of test:" | tail -n 1)
	case $end in
	*"End of test: SUCCESS"*) echo "ok - locktorture/$t" ;;
	"")
		echo "not ok - locktorture/$t: no end-of-test line"
		nfail=$((nfail + 1))
		;;
	*)
		echo "not ok - locktorture/$t: ${end#*--- }"
		nfail=$((nfail + 1))
		;;
	esac
done
rmmod torture
[ "$nfail" -eq 0 ]
