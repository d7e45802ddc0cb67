#!/bin/sh
# Build a UML kernel out of tree.
#   scripts/build.sh baseline|patched debug|bench
# Output: build/linux/_out-<flavor>/linux (patched) or
# build/baseline/_out-<flavor>/linux, log in build/logs/.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/common.sh"

kind=${1:?usage: build.sh baseline|patched debug|bench}
flavor=${2:?usage: build.sh baseline|patched debug|bench}
src=$(kernel_src "$kind")
case $flavor in
debug | bench) ;;
*) die "unknown flavor '$flavor'" ;;
esac

need_pkgs build-essential bc bison flex libelf-dev ccache
[ -d "$src" ] || sh "$TOP/scripts/tree.sh"

# The object directory is a direct child of the source tree, so that kbuild
# uses the relative srctree "..": then the baseline and the patched kernel
# compile with identical command lines and share one ccache.
out=$src/_out-$flavor
mkdir -p "$out" "$BUILD/logs"
frags="$TOP/config/uml.config $TOP/config/$flavor.config"
strict=$frags
if [ "$kind" = patched ] && [ "$flavor" = debug ]; then
	frags="$frags $TOP/config/series.config"
	# Part of the series (make bisect-check) may not have all its
	# options yet.
	[ "${PARTIAL_SERIES:-0}" = 1 ] || strict=$frags
fi
kmake() {
	kmake_in "$src" "$out" ARCH=um SUBARCH=x86_64 "$@"
}

# (Re)generate .config only when the fragments changed, so that an
# incremental build stays incremental.
# shellcheck disable=SC2086
sum=$(cat $frags | sha1sum | cut -d' ' -f1)
# Part of a series may add Kconfig options at any patch: configure afresh.
if [ ! -f "$out/.config" ] || [ "${PARTIAL_SERIES:-0}" = 1 ] ||
	[ "$(cat "$out/.fragments" 2>/dev/null)" != "$sum" ]; then
	log "configuring $kind-$flavor"
	kmake -s x86_64_defconfig >"$BUILD/logs/$(basename "$src")-$flavor.config.log" 2>&1
	# shellcheck disable=SC2086
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $frags \
		>>"$BUILD/logs/$(basename "$src")-$flavor.config.log" 2>&1
	kmake -s olddefconfig >>"$BUILD/logs/$(basename "$src")-$flavor.config.log" 2>&1
	# Every option a fragment asks for must have survived Kconfig.
	bad=0
	for f in $strict; do
		grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' "$f" |
			while IFS= read -r want; do
				case $want in
				"# "*) sym=${want#\# }; sym=${sym%% *}
					grep -q "^$sym=" "$out/.config" && echo "$sym: wanted unset, got $(grep "^$sym=" "$out/.config")" ;;
				*=n) sym=${want%%=*}
					grep -q "^$sym=" "$out/.config" && echo "$sym: wanted unset" ;;
				*) grep -qx "$want" "$out/.config" || echo "$want: not in final config" ;;
				esac
			done
	done >"$out/.config-mismatch" || true
	if [ -s "$out/.config-mismatch" ]; then
		cat "$out/.config-mismatch" >&2
		bad=1
	fi
	[ $bad -eq 0 ] || die "config fragments for $kind-$flavor did not apply"
	echo "$sum" >"$out/.fragments"
fi

# Bench kernels load an out-of-tree module (bench/): they need
# Module.symvers, which the modules target writes.
targets=linux
[ "$flavor" = bench ] && targets="linux modules"
# shellcheck disable=SC2086
run_logged "$BUILD/logs/$(basename "$src")-$flavor.build.log" "building $kind-$flavor kernel" \
	kmake -j"$JOBS" $targets
log "$kind-$flavor: $(kmake -s kernelrelease 2>/dev/null) -> $out/linux"
