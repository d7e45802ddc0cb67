#!/bin/sh
# make fstests: run a selection of fstests on the baseline and the patched
# kernel and compare them (scripts/verdict/fstests-report.sh).
#
# Environment:
#   FSTESTS_SRC      fstests source: a release tarball or a checkout
#                    (default: the tarball in ../shared/third_party/)
#   FSTESTS_CONFIGS  configurations (default "xfs xfs-reflink ext4"; also
#                    ext4-1k, ext4-bigalloc: fstests/configs)
#   FSTESTS_TESTS    tests to run (generic/091 ...), instead of groups
#   FSTESTS_GROUPS   groups, each intersected with "auto" (default: the
#                    selection in fstests/default.list, which says why)
#   FSTESTS_KERNELS  default "baseline patched"
#   FSTESTS_RUNTIME  uml (default: the UML debug kernels of make check)
#                    or smp (the x86_64 smp-debug kernels under QEMU)
#   FSTESTS_RUN      run directory (default build/fstests/runs/RUNTIME-ID,
#                    ID a hash of fstests, the kernel binaries, the
#                    selection and the configurations' mkfs options)
#   FSTESTS_RERUNS   re-runs on both kernels of a test whose result differs
#                    (default 2)
#   FSTESTS_BOOT_TMO seconds one boot may take (default 14400)
#
# Resumable: results are kept per kernel and configuration in the run
# directory, and a second make fstests with the same selection runs only
# the tests that have no result yet.  A test during which the guest died
# or timed out gets the result "fail" with the reason, and the next boot
# goes on with the test after it.  Exit status: that of the report (1 if
# any difference remains, or any run is incomplete).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

FSTESTS_SRC=${FSTESTS_SRC:-$TOP/../shared/third_party/xfstests-v2024.11.17.tar.xz}
FSTESTS_CONFIGS=${FSTESTS_CONFIGS:-xfs xfs-reflink ext4}
FSTESTS_KERNELS=${FSTESTS_KERNELS:-baseline patched}
FSTESTS_RUNTIME=${FSTESTS_RUNTIME:-uml}
FSTESTS_RERUNS=${FSTESTS_RERUNS:-2}
FSTESTS_BOOT_TMO=${FSTESTS_BOOT_TMO:-14400}
export FSTESTS_TEST_TMO="${FSTESTS_TEST_TMO:-1800}"
AIOLOCK_PASS_ENV=FSTESTS_TEST_TMO
export AIOLOCK_PASS_ENV

case $FSTESTS_RUNTIME in
uml) flavor=debug ;;
smp) flavor=smp-debug ;;
*) die "FSTESTS_RUNTIME: uml or smp, not '$FSTESTS_RUNTIME'" ;;
esac
case $FSTESTS_RERUNS in
'' | *[!0-9]*) die "FSTESTS_RERUNS: a number, not '$FSTESTS_RERUNS'" ;;
esac

need_pkgs autoconf automake libtool libtool-bin make gcc xfslibs-dev \
	uuid-dev libacl1-dev libattr1-dev libgdbm-dev libgdbm-compat-dev \
	libcap-dev libaio-dev liburing-dev acl attr bc gawk psmisc \
	uuid-runtime xfsdump quota dbench indent fio xfsprogs e2fsprogs \
	procps
[ "$FSTESTS_RUNTIME" = uml ] || need_pkgs qemu-system-x86

# fstests, built once per source: a tarball by its checksum, a checkout by
# its commit (and whether it has local changes).
[ -e "$FSTESTS_SRC" ] ||
	die "no fstests at $FSTESTS_SRC: set FSTESTS_SRC to a release tarball or a checkout"
if [ -d "$FSTESTS_SRC" ]; then
	id=$(git -C "$FSTESTS_SRC" describe --always --dirty 2>/dev/null ||
		echo nogit)
	[ "$id" != nogit ] || die "FSTESTS_SRC: $FSTESTS_SRC is not a git checkout"
else
	id=$(sha1sum <"$FSTESTS_SRC" | cut -c1-12)
fi
fst=$BUILD/fstests/src-$id
if [ ! -f "$fst/.built" ]; then
	rm -rf "$fst"
	mkdir -p "$fst"
	if [ -d "$FSTESTS_SRC" ]; then
		git -C "$FSTESTS_SRC" ls-files -z | (cd "$FSTESTS_SRC" &&
			xargs -0 tar cf -) | tar xf - -C "$fst"
	else
		tar xf "$FSTESTS_SRC" -C "$fst" --strip-components=1
	fi
	[ -x "$fst/check" ] || die "FSTESTS_SRC: $FSTESTS_SRC has no ./check"
	run_logged "$BUILD/logs/fstests-build.log" "building fstests" \
		make -C "$fst" -j"$JOBS"
	touch "$fst/.built"
fi

# The users fstests' permission tests switch to.  The guest sees the
# host's /etc/passwd.
for u in fsgqa fsgqa2 123456-fsgqa; do
	if ! id "$u" >/dev/null 2>&1; then
		[ "$(id -u)" -eq 0 ] || die "fstests needs a user $u (run as root)"
		useradd -m "$u"
	fi
done

# The kernels, up to date with their trees (build.sh builds only what
# changed), and what identifies each build.
kids=
for k in $FSTESTS_KERNELS; do
	case $k in
	baseline | patched) ;;
	*) die "FSTESTS_KERNELS: baseline and/or patched, not '$k'" ;;
	esac
	sh "$TOP/scripts/kernel/build.sh" "$k" "$flavor"
	kids="$kids $k-$(sha1sum <"$(kernel_bin "$k" "$flavor")" | cut -c1-12)"
done

# The tests of a configuration (tests_of): scripts/jobs/fstests-select.sh.
FSTESTS_DEFAULT_LIST=$TOP/fstests/default.list
# shellcheck source=scripts/jobs/fstests-select.sh
. "$TOP/scripts/jobs/fstests-select.sh"

# The filesystem type of a configuration (fstests/configs), or nothing.
fstyp_of() {
	awk -v c="$1" '$1 == c { print $2 }' "$TOP/fstests/configs"
}

# One pass of a list of tests on one kernel: boots until every test has a
# result (resuming after the test that was running when a guest died or
# hung, or after lock debugging went off) or a boot makes no progress.
# DIR holds progress (one line per result, as scripts/verdict/fstests-parse.sh
# prints them, of all boots), results/ (fstests' RESULT_BASE), lockdep-off
# (where lock debugging went off), and per boot N console-N.log,
# verdict-N.txt, check.out-N, parsed-N and debug_locks-N.
run_list() { # run_list KERNEL CONFIG LIST DIR
	_k=$1 _c=$2 _list=$3 _dir=$4
	mkdir -p "$_dir/results"
	touch "$_dir/progress"
	_boot=$(find "$_dir" -name 'console-*.log' | wc -l)
	while :; do
		awk '{ print $1 }' "$_dir/progress" | sort -u >"$_dir/done"
		grep -vxF -f "$_dir/done" "$_list" >"$_dir/todo" || true
		[ -s "$_dir/todo" ] || return 0
		_boot=$((_boot + 1))
		log "fstests: $_k $_c: $(wc -l <"$_dir/todo") test(s) to run, boot $_boot"
		_img=$(mktemp -d /dev/shm/aiolock-fstests.XXXXXX)
		truncate -s 4G "$_img/test.img" "$_img/scratch.img"
		_out=$BUILD/fstests/out.$_k.$_c
		rm -rf "$_out"
		# The guest sees the host's files, but not under /tmp, /dev/shm
		# or /run, where FSTESTS_RUN may be: the list goes next to the
		# fstests build, which it sees.
		cp "$_dir/todo" "$BUILD/fstests/todo.$_k.$_c"
		_rc=0
		sh "$TOP/scripts/guest/run-guest.sh" -k "$(kernel_bin "$_k" "$flavor")" \
			-n "$_k" -t "$FSTESTS_BOOT_TMO" -m 2G \
			-l "$_dir/console-$_boot.log" -o "$_out" \
			-d "$_img/test.img" -d "$_img/scratch.img" -- \
			sh "$TOP/scripts/guest/in-guest.sh" \
			sh "$TOP/scripts/guest/fstests-guest.sh" "$fst" "$_c" \
			"$BUILD/fstests/todo.$_k.$_c" || _rc=$?
		rm -rf "$_img"
		sh "$TOP/scripts/verdict/verdict.sh" "$_dir/console-$_boot.log" \
			>"$_dir/verdict-$_boot.txt" 2>&1 || true
		if [ -d "$_out/results" ]; then
			cp -a "$_out/results/." "$_dir/results/"
		fi
		for _f in check.out local.config debug_locks setup-failed; do
			if [ -f "$_out/$_f" ]; then
				cp "$_out/$_f" "$_dir/$_f-$_boot"
			fi
		done
		rm -rf "$_out"
		if [ -f "$_dir/setup-failed-$_boot" ]; then
			log "fstests: $_k $_c: set-up failed: $(cat "$_dir/setup-failed-$_boot")"
			return 1
		fi
		_before=$(wc -l <"$_dir/done")
		touch "$_dir/check.out-$_boot"
		case $_rc in
		124) _why="guest timed out after ${FSTESTS_BOOT_TMO}s" ;;
		125) _why="guest died" ;;
		*) _why="no result, guest status $_rc" ;;
		esac
		# Lock debugging off (a lockdep report, or a taint: WARN, BUG,
		# KASAN) leaves the tests after it unchecked: keep the results
		# up to the test during which it went off, and run the rest
		# again in a fresh boot.
		_off=$(sed -n 's/^verdict: lockdep\(-off\)\{0,1\}: [^:]*:\([0-9]*\): .*/\2/p' \
			"$_dir/verdict-$_boot.txt" | sort -n | head -n 1)
		_upto=
		if [ -n "$_off" ]; then
			_upto=$(head -n "$_off" "$_dir/console-$_boot.log" |
				sed -n 's/.*run fstests \([^ ]*\) at .*/\1/p' | tail -n 1)
			log "fstests: $_k $_c: lock debugging went off in ${_upto:-the boot, before any test} (console-$_boot.log:$_off); the tests after it run again"
			echo "boot $_boot: lock debugging off in ${_upto:-boot} (console-$_boot.log:$_off)" \
				>>"$_dir/lockdep-off"
			_upto=${_upto:--}
		fi
		sh "$TOP/scripts/verdict/fstests-parse.sh" ${_upto:+-u "$_upto"} \
			"$_dir/check.out-$_boot" >"$_dir/parsed-$_boot" ||
			die "fstests: cannot read $_dir/check.out-$_boot"
		# The test the guest was running when it died or timed out.
		awk -v why="$_why, console-$_boot.log" \
			'$1 == "start" { print $2, "fail", 0, why; next } { print }' \
			"$_dir/parsed-$_boot" >>"$_dir/progress"
		_after=$(awk '{ print $1 }' "$_dir/progress" | sort -u | wc -l)
		if [ "$_after" -le "$_before" ]; then
			log "fstests: $_k $_c: boot $_boot ran no test (status $_rc); see $_dir/console-$_boot.log"
			return 1
		fi
	done
}

# The run directory is named after the kernel builds and what selects the
# tests, not after the configurations: a later make fstests with other
# FSTESTS_CONFIGS adds configurations to the same run, and the report
# covers them all; a rebuilt kernel starts a new run.
sel=$({
	echo "$id"
	echo "$kids"
	echo "${FSTESTS_TESTS:-}"
	echo "${FSTESTS_GROUPS:-}"
	cat "$TOP/fstests/default.list" "$TOP/fstests/configs"
} | sha1sum | cut -c1-8)
run=${FSTESTS_RUN:-$BUILD/fstests/runs/$FSTESTS_RUNTIME-$sel}
mkdir -p "$run"
log "fstests: run directory $run"
{
	echo "runtime $FSTESTS_RUNTIME"
	echo "fstests $id"
	echo "kernels $FSTESTS_KERNELS"
	for k in $FSTESTS_KERNELS; do
		echo "kernel-$k $(git -C "$(kernel_src "$k")" describe --always 2>/dev/null || echo unknown)"
	done
	echo "builds$kids"
} >"$run/params"

# Every configuration and its tests, before the first boot.
for c in $FSTESTS_CONFIGS; do
	fstyp=$(fstyp_of "$c")
	[ -n "$fstyp" ] || die "FSTESTS_CONFIGS: '$c' is not in fstests/configs"
	mkdir -p "$run/$c"
	tests_of "$fstyp" | sort -u >"$run/$c/list.new"
	[ -s "$run/$c/list.new" ] || die "fstests: no tests selected for $c"
	if [ -f "$run/$c/list" ] && ! cmp -s "$run/$c/list" "$run/$c/list.new"; then
		die "fstests: the tests of $c in $run changed; remove $run/$c or set FSTESTS_RUN"
	fi
	mv "$run/$c/list.new" "$run/$c/list"
done

# Side by side, each UML guest needs its memory (2G) and its two disk
# images (up to 8G) in /dev/shm; run the kernels one after the other when
# there is not room for all of them.
parallel=0
if [ "$FSTESTS_RUNTIME" = uml ]; then
	nk=$(echo "$FSTESTS_KERNELS" | wc -w)
	shm_kb=$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')
	if [ "${shm_kb:-0}" -ge $((nk * 10 * 1024 * 1024 + 1024 * 1024)) ]; then
		parallel=1
	else
		log "fstests: /dev/shm has $((${shm_kb:-0} / 1024)) MB free, not enough for $nk guests side by side: one after the other"
	fi
fi

setup_rc=0
for c in $FSTESTS_CONFIGS; do
	# The kernels side by side: a UML guest uses one CPU.
	pids=
	for k in $FSTESTS_KERNELS; do
		if [ "$parallel" = 1 ]; then
			run_list "$k" "$c" "$run/$c/list" "$run/$c/$k" &
			pids="$pids $!"
		else
			run_list "$k" "$c" "$run/$c/list" "$run/$c/$k" || setup_rc=1
		fi
	done
	for p in $pids; do
		wait "$p" || setup_rc=1
	done
	# Re-run the tests whose result differs between the kernels.
	case " $FSTESTS_KERNELS " in
	*" baseline "*" patched "* | *" patched "*" baseline "*) ;;
	*) continue ;;
	esac
	sh "$TOP/scripts/verdict/fstests-report.sh" -d "$run/$c" >"$run/$c/differ"
	i=1
	while [ "$i" -le "$FSTESTS_RERUNS" ] && [ -s "$run/$c/differ" ]; do
		pids=
		for k in baseline patched; do
			if [ "$parallel" = 1 ]; then
				run_list "$k" "$c" "$run/$c/differ" \
					"$run/$c/$k-rerun$i" &
				pids="$pids $!"
			else
				run_list "$k" "$c" "$run/$c/differ" \
					"$run/$c/$k-rerun$i" || setup_rc=1
			fi
		done
		for p in $pids; do
			wait "$p" || setup_rc=1
		done
		i=$((i + 1))
	done
done

rc=0
sh "$TOP/scripts/verdict/fstests-report.sh" "$run" >"$run/report.md" || rc=$?
cat "$run/report.md"
log "fstests: report in $run/report.md"
[ "$setup_rc" = 0 ] || rc=1
exit "$rc"
