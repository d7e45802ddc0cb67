#!/bin/sh
# `make demo`: build the baseline (pristine 6.12) and the patched kernel
# without debugging options, boot each, run the same short workload of
# 512-byte async direct writes on XFS in both, and print them side by side.
# DEMO_LATENCY_NS sets the device completion latency (default 200 us).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"
cd "$TOP"

lat=${DEMO_LATENCY_NS:-200000}
res=$BUILD/demo
rm -rf "$res"
mkdir -p "$res"
need_all_pkgs
make -s -C bench O="$BUILD/bench"
sh scripts/stack/tree.sh
for k in baseline patched; do
	sh scripts/kernel/build.sh "$k" bench
done
for k in baseline patched; do
	kbin=$(kernel_bin "$k" bench)
	log "demo: $k kernel"
	rc=0
	sh scripts/guest/run-guest.sh -k "$kbin" -n "$k" -t 900 -o "$res/$k" \
		-l "$res/$k/console.log" -a null_blk.nr_devices=0 -- \
		sh bench/demo-guest.sh "$BUILD/bench" "$lat" || rc=$?
	[ $rc -eq 0 ] || die "demo workload failed on $k (status $rc); see $res/$k"
	sh scripts/verdict/verdict.sh "$res/$k/console.log" >/dev/null ||
		die "kernel reports in $res/$k/console.log"
done

# key=value lookup in a RESULT line
val() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

echo
echo "512-byte O_DIRECT async writes, XFS 4 KiB blocks, 16 files, queue depth 16,"
echo "null_blk completion latency $((lat / 1000)) us; $(cat "$BUILD/sublevel") baseline vs patched"
echo
printf '%-9s %-10s | %10s %10s %7s | %12s %12s\n' engine mode \
	"base IOPS" "patch IOPS" ratio "base submit" "patch submit"
printf '%-9s %-10s | %10s %10s %7s | %12s %12s\n' "" "" "" "" "" "p50 (us)" "p50 (us)"
grep '^RESULT mode=' "$res/baseline/output" | while read -r b; do
	mode=$(val "$b" mode)
	engine=$(val "$b" engine)
	p=$(grep "^RESULT mode=$mode engine=$engine " "$res/patched/output")
	bi=$(val "$b" iops)
	pi=$(val "$p" iops)
	printf '%-9s %-10s | %10s %10s %7s | %12s %12s\n' "$engine" "$mode" \
		"$bi" "$pi" "$(echo "scale=3; $pi / $bi" | bc | xargs printf "%.2f")" \
		"$(val "$b" submit_p50_us)" "$(val "$p" submit_p50_us)"
done
echo
echo "Every written byte was read back and verified on both kernels."
