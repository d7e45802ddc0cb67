#!/bin/sh
# Build a kernel out of tree.
#   scripts/kernel/build.sh baseline|patched FLAVOR
# Flavors: debug, bench, trace (User Mode Linux: _out-FLAVOR/linux), smp-debug,
# rt-debug, smp-bench (x86_64 for QEMU: _out-FLAVOR/arch/x86/boot/bzImage),
# fastpath, fastpath-preempt (x86_64 without debugging, without and with
# preemption: _out-FLAVOR/kernel/locking/rwsem.o only), in
# build/linux (patched) or build/baseline; log in build/logs/.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

usage='usage: build.sh baseline|patched debug|bench|trace|smp-debug|rt-debug|smp-bench|fastpath|fastpath-preempt'
kind=${1:?$usage}
flavor=${2:?$usage}
src=$(kernel_src "$kind")
# Per flavor: architecture, base configuration, fragments (later ones win),
# make targets.  series.config holds options that only the series has.
series=
case $flavor in
debug | bench)
	arch=um base=x86_64_defconfig targets=linux
	frags="$TOP/config/uml.config $TOP/config/$flavor.config"
	if [ "$flavor" = debug ]; then
		frags="$frags $TOP/config/uml-debug.config"
		series=$TOP/config/series.config
	fi
	# Bench kernels load an out-of-tree module (bench/): they need
	# Module.symvers, which the modules target writes.
	[ "$flavor" = bench ] && targets="linux modules"
	;;
trace)
	# The bench kernel with event tracing, for make bench-iowq.
	arch=um base=x86_64_defconfig targets=linux
	frags="$TOP/config/uml.config $TOP/config/bench.config $TOP/config/trace.config"
	;;
smp-debug | rt-debug)
	arch=x86_64 base=allnoconfig targets="bzImage modules"
	frags="$TOP/config/qemu.config $TOP/config/debug.config $TOP/config/qemu-debug.config"
	if [ "$flavor" = rt-debug ]; then
		frags="$frags $TOP/config/rt.config"
		series=$TOP/config/series-rt.config
	else
		series=$TOP/config/series.config
	fi
	;;
smp-bench)
	# The benchmark kernel for QEMU (make bench with BENCH_RUNNER=qemu):
	# x86_64, SMP, no lock or memory debugging.  No series options, so
	# the baseline and the patched kernel share one ccache.
	arch=x86_64 base=allnoconfig targets="bzImage modules"
	frags="$TOP/config/qemu.config $TOP/config/bench.config $TOP/config/qemu-bench.config"
	;;
fastpath | fastpath-preempt)
	# The rwsem fast paths of production x86_64 configurations (no lock
	# debugging), without and with preemption, for
	# scripts/kernel/fastpath.sh: only the object.
	arch=x86_64 base=allnoconfig targets=kernel/locking/rwsem.o
	frags="$TOP/config/qemu.config"
	[ "$flavor" = fastpath ] || frags="$frags $TOP/config/preempt.config"
	;;
*) die "unknown flavor '$flavor'" ;;
esac

need_pkgs build-essential bc bison flex libelf-dev ccache
[ -d "$src" ] || sh "$TOP/scripts/stack/tree.sh"

# The object directory is a direct child of the source tree, so that kbuild
# uses the relative srctree "..": then the baseline and the patched kernel
# compile with identical command lines and share one ccache.
out=$src/_out-$flavor
mkdir -p "$out" "$BUILD/logs"
strict=$frags
if [ "$kind" = patched ] && [ -n "$series" ]; then
	frags="$frags $series"
	# Part of the series (make bisect-check) may not have all its
	# options yet.
	[ "${PARTIAL_SERIES:-0}" = 1 ] || strict=$frags
fi
kmake() {
	kmake_in "$src" "$out" ARCH="$arch" SUBARCH=x86_64 "$@"
}

# (Re)generate .config only when the fragments changed, so that an
# incremental build stays incremental.
# shellcheck disable=SC2086
sum=$(cat $frags | sha1sum | cut -d' ' -f1)
# Part of a series may add Kconfig options at any patch: configure afresh.
if [ ! -f "$out/.config" ] || [ "${PARTIAL_SERIES:-0}" = 1 ] ||
	[ "$(cat "$out/.fragments" 2>/dev/null)" != "$sum" ]; then
	log "configuring $kind-$flavor"
	kmake -s "$base" >"$BUILD/logs/$(basename "$src")-$flavor.config.log" 2>&1
	# shellcheck disable=SC2086
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $frags \
		>>"$BUILD/logs/$(basename "$src")-$flavor.config.log" 2>&1
	kmake -s olddefconfig >>"$BUILD/logs/$(basename "$src")-$flavor.config.log" 2>&1
	# Every option a fragment asks for must have survived Kconfig; when
	# several fragments set an option, the last one counts, as in
	# merge_config.sh.
	# shellcheck disable=SC2086
	sed -n -e 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)$/\1 \2/p' \
		-e 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1 n/p' $strict |
		awk '{ v[$1] = $2 } END { for (s in v) print s, v[s] }' |
		while read -r sym val; do
			got=$(sed -n "s/^$sym=//p" "$out/.config")
			case $val in
			n) [ -z "$got" ] || echo "$sym: wanted unset, got $got" ;;
			*) [ "$got" = "$val" ] || echo "$sym=$val: got '${got:-unset}'" ;;
			esac
		done >"$out/.config-mismatch"
	bad=0
	if [ -s "$out/.config-mismatch" ]; then
		cat "$out/.config-mismatch" >&2
		bad=1
	fi
	[ $bad -eq 0 ] || die "config fragments for $kind-$flavor did not apply"
	echo "$sum" >"$out/.fragments"
fi

# shellcheck disable=SC2086
run_logged "$BUILD/logs/$(basename "$src")-$flavor.build.log" "building $kind-$flavor kernel" \
	kmake -j"$JOBS" $targets
log "$kind-$flavor: $(kmake -s kernelrelease 2>/dev/null) -> $(kernel_bin "$kind" "$flavor")"
