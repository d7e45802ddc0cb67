#!/bin/sh
# `make build-rt`: build the patched tree for x86_64 with PREEMPT_RT
# (x86_64_defconfig + PREEMPT_RT + XFS + lockdep), a full vmlinux,
# to show that the series compiles where rw_semaphore is rtmutex based and
# rwsem_handoff_supported() is false.  Not booted.
# Output: build/linux/_out-rt/vmlinux, log in build/logs/linux-rt.build.log.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/common.sh"

need_pkgs build-essential bc bison flex libelf-dev libssl-dev ccache
[ -d "$KTREE" ] || sh "$TOP/scripts/tree.sh"
out=$KTREE/_out-rt
mkdir -p "$out" "$BUILD/logs"
kmake() {
	kmake_in "$KTREE" "$out" ARCH=x86_64 "$@"
}
clog=$BUILD/logs/linux-rt.config.log
kmake -s x86_64_defconfig >"$clog" 2>&1
"$KTREE/scripts/config" --file "$out/.config" \
	-e EXPERT -e PREEMPT_RT -e XFS_FS -e XFS_ONLINE_SCRUB -e EXT4_FS \
	-e PROVE_LOCKING -e KUNIT -e RWSEM_HANDOFF_KUNIT_TEST \
	>>"$clog" 2>&1
kmake -s olddefconfig >>"$clog" 2>&1
for want in PREEMPT_RT XFS_FS EXT4_FS PROVE_LOCKING; do
	grep -qx "CONFIG_$want=y" "$out/.config" ||
		die "CONFIG_$want did not survive Kconfig (see $clog)"
done
# The KUnit suites exercise the hand-off itself: not built on RT.
! grep -q '^CONFIG_RWSEM_HANDOFF_KUNIT_TEST=' "$out/.config" ||
	die "RWSEM_HANDOFF_KUNIT_TEST must depend on !PREEMPT_RT"
run_logged "$BUILD/logs/linux-rt.build.log" "building patched x86_64 PREEMPT_RT vmlinux" \
	kmake -j"$JOBS" vmlinux
if grep -E '(warning|error):' "$BUILD/logs/linux-rt.build.log" |
	grep -E 'kernel/locking/|fs/(iomap|xfs|ext4)/|include/linux/rwsem' >&2; then
	die "warnings in the code the series touches"
fi
log "PREEMPT_RT vmlinux: $out/vmlinux"
