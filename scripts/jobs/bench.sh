#!/bin/sh
# `make bench` / `make bench-quick`: A/B benchmark of the baseline (pristine
# 6.12) and the patched kernel, both built without debugging options.
#
#   bench.sh full|quick
#
# Every repetition boots three kernels in turn: baseline, patched, and the
# baseline a second time (the A/A pair that shows the noise).  The order
# rotates from one repetition to the next, so that no kernel always runs
# first.  Each boot runs the same pass over the workload matrix
# (bench/bench-guest.sh) and the rwsem microbenchmark module.
#
# Environment: BENCH_REPS (default 5 for full, 3 for quick), BENCH_RUNTIME
# and BENCH_RAMP (per fio job, fio time values, default 1500ms and 500ms),
# BENCH_J3_QD (J3's queue depth, default 16), BENCH_QUICK_DEV (the quick
# set's device, nbN: null_blk completing after N us, default nb200),
# BENCH_RESUME (a run directory to complete after an interruption),
# BENCH_RUNNER (uml, the default: User Mode Linux, one CPU; qemu: x86_64
# kernels with 2 CPUs under QEMU, for what needs a second CPU, such as J5's
# truncate next to direct I/O completing on another CPU; QEMU emulates the
# CPU here, so only its ratios mean anything).
#
# Output: build/bench-runs/<set>-<stamp>/ (raw results and report).  The
# full set also writes bench/results/<sublevel>-<date>[-qemu].md and its
# plots.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"
cd "$TOP"

set=${1:?usage: bench.sh full|quick}
case $set in
full) reps=${BENCH_REPS:-5} ;;
quick) reps=${BENCH_REPS:-3} ;;
*) die "usage: bench.sh full|quick" ;;
esac
[ "$reps" -ge 1 ] || die "BENCH_REPS must be at least 1"

# A resumed run keeps the runtime it started with.
if [ -n "${BENCH_RESUME:-}" ] && [ -f "$BENCH_RESUME/host" ]; then
	BENCH_RUNNER=$(sed -n 's/^runner=//p' "$BENCH_RESUME/host")
	log "resuming a run of runtime ${BENCH_RUNNER:-uml}"
fi
# Per runtime: kernel flavour (scripts/kernel/build.sh), its architecture
# for the microbenchmark module, and the timeout of a boot: under QEMU
# three times UML's, as the full set there has not been timed (a quick
# boot took 100-110 s on both runtimes).
runner=${BENCH_RUNNER:-uml}
case $runner in
uml) flavor=bench march=um tmo=1800 ;;
qemu) flavor=smp-bench march=x86_64 tmo=5400 ;;
*) die "BENCH_RUNNER must be uml or qemu, not '$runner'" ;;
esac

need_all_pkgs
need_pkgs fio jq gnuplot-nox
[ "$runner" = uml ] || need_pkgs qemu-system-x86
make -s -C bench O="$BUILD/bench"
sh scripts/stack/tree.sh
for k in baseline patched; do
	sh scripts/kernel/build.sh "$k" "$flavor"
done

# The rwsem microbenchmark: the series' KUnit benchmark source, which uses
# the plain rwsem API only, built as the same out-of-tree module against
# each kernel.  A series without it (or no series) benchmarks without it.
mbsrc=$KTREE/kernel/locking/rwsem_bench_kunit.c
for k in baseline patched; do
	src=$(kernel_src "$k")
	m=$BUILD/bench/rwsem-mb-$k-$flavor
	rm -f "$m/rwsem_bench_kunit.ko"
	[ -f "$mbsrc" ] || continue
	mkdir -p "$m"
	cmp -s "$mbsrc" "$m/rwsem_bench_kunit.c" || cp "$mbsrc" "$m/"
	echo 'obj-m := rwsem_bench_kunit.o' >"$m/Kbuild"
	run_logged "$BUILD/logs/rwsem-mb-$k-$flavor.log" "building rwsem microbenchmark module for $k" \
		kmake_in "$src" "$src/_out-$flavor" ARCH=$march SUBARCH=x86_64 M="$m" modules
done
[ -f "$mbsrc" ] || log "no rwsem microbenchmark in the series: not measured"

# BENCH_RESUME=RUN_DIR continues an interrupted run: boots that finished
# are kept, the others are run again.
if [ -n "${BENCH_RESUME:-}" ]; then
	run=$BENCH_RESUME
	read -r _ reps _ BENCH_RUNTIME BENCH_RAMP BENCH_J3_QD BENCH_QUICK_DEV <"$run/params" ||
		die "$run is not a benchmark run"
	log "resuming $run"
else
	stamp=$(date +%Y%m%d-%H%M%S)
	run=$BUILD/bench-runs/$set-$stamp
	mkdir -p "$run"
	echo "$set $reps $(cat "$BUILD/sublevel") ${BENCH_RUNTIME:-1500ms} ${BENCH_RAMP:-500ms} ${BENCH_J3_QD:-16} ${BENCH_QUICK_DEV:-nb200}" >"$run/params"
	{
		echo "cores=$(nproc)"
		echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "runner=$runner"
	} >"$run/host"
fi
img=/dev/shm/aiolock-bench-ubd.$$
trap 'rm -f "$img"' EXIT

export BENCH_RUNTIME="${BENCH_RUNTIME:-1500ms}" BENCH_RAMP="${BENCH_RAMP:-500ms}"
export BENCH_J3_QD="${BENCH_J3_QD:-16}" BENCH_QUICK_DEV="${BENCH_QUICK_DEV:-nb200}"
case $BENCH_QUICK_DEV in
nb*) case ${BENCH_QUICK_DEV#nb} in '' | *[!0-9]*) false ;; esac ;;
*) false ;;
esac || die "BENCH_QUICK_DEV must be nbN (null_blk, N us), not '$BENCH_QUICK_DEV'"
export AIOLOCK_PASS_ENV="BENCH_RUNTIME BENCH_RAMP BENCH_J3_QD BENCH_QUICK_DEV"
r=1
while [ "$r" -le "$reps" ]; do
	case $((r % 3)) in
	1) order="baseline patched baseline2" ;;
	2) order="patched baseline2 baseline" ;;
	0) order="baseline2 baseline patched" ;;
	esac
	for slot in $order; do
		case $slot in
		baseline | baseline2) k=baseline ;;
		patched) k=patched ;;
		esac
		kbin=$(kernel_bin "$k" "$flavor")
		o=$run/rep$r-$slot
		if [ "$(cat "$o/status" 2>/dev/null)" = 0 ]; then
			log "bench ($set): repetition $r/$reps, $slot: done before"
			continue
		fi
		rm -rf "$o"
		log "bench ($set): repetition $r/$reps, $slot"
		rm -f "$img"
		truncate -s 1G "$img"
		# The file-backed disk ("ubd" in the matrix): ubdb=IMAGE under
		# UML, /dev/vda (virtio-blk) under QEMU.
		kargs="null_blk.nr_devices=0 ubdb=$img" dimg=
		[ "$runner" = uml ] || kargs=null_blk.nr_devices=0 dimg=$img
		rc=0
		mod=$BUILD/bench/rwsem-mb-$k-$flavor/rwsem_bench_kunit.ko
		[ -f "$mod" ] || mod=
		sh scripts/guest/run-guest.sh -k "$kbin" -n "$k" -t "$tmo" -m 2560M -o "$o" \
			-l "$o/console.log" -K rwsem_disown_bench \
			-a "$kargs" ${dimg:+-d "$dimg"} -- \
			sh bench/bench-guest.sh "$BUILD/bench" "$mod" "$set" || rc=$?
		[ $rc -eq 0 ] || die "benchmark failed on $slot (status $rc); see $o"
		sh scripts/verdict/verdict.sh "$o/console.log" >/dev/null ||
			die "kernel reports in $o/console.log"
	done
	r=$((r + 1))
done

sh scripts/jobs/bench-report.sh "$run" >"$run/report.md"
if [ "$set" = full ]; then
	res=bench/results
	name=$(cat "$BUILD/sublevel")-$(date +%Y-%m-%d)
	# A QEMU run must not replace the UML results of the same day.
	[ "$runner" = uml ] || name=$name-$runner
	mkdir -p "$res"
	sh scripts/jobs/bench-report.sh -p "$res/$name" "$run" >"$res/$name.md"
	log "results: $res/$name.md"
fi
cat "$run/report.md"
