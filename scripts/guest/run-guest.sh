#!/bin/sh
# Boot a kernel, run one command in it, return that command's status.
#
#   run-guest.sh [-k KERNEL] [-n baseline|patched] [-t SECONDS] [-l LOG]
#                [-o OUTDIR] [-K KUNIT_GLOB] [-m MEM] [-c CPUS]
#                [-a KERNEL_ARGS] [-d DISK]... -- CMD...
#
# Two runtimes behind one interface, chosen by KERNEL: a User Mode Linux
# binary (_out-debug/linux, the default; one CPU) runs as a host process;
# an x86_64 bzImage boots under qemu-system-x86_64 with software emulation
# and CPUS virtual CPUs (default 2).  The guest sees the host root
# read-only (hostfs, or virtio-9p under QEMU), tmpfs on /tmp, and OUTDIR
# (writable, shared with the host) at $AIOLOCK_OUT; CMD runs as root in the
# current directory, with $AIOLOCK_KERNEL set to the kernel's name.  KUnit
# suites built into the kernel run at boot only when -K selects them.  The
# full console log goes to LOG.  The guest is killed after SECONDS; the
# command's status, or 124 for a timeout, 125 for a guest that died, is
# returned.  Each -d attaches an image file as a disk, in order:
# /dev/ubdb, /dev/ubdc... under UML, /dev/vda, /dev/vdb... under QEMU
# (512-byte logical sectors in both).  Variables named in AIOLOCK_PASS_ENV
# (default: TESTS_FS TESTS_ONLY AIOLOCK_FEATURE_DIO_LOCK), and
# AIOLOCK_FEATURE_DIO_LOCK_EXCL, are passed from the caller to CMD.
# All files the guest used are removed afterwards.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

kernel=$(kernel_bin patched debug)
name=
tmo=600
logf=
outdir=
kunit=
mem=1536M
cpus=2
kargs=
disks=
usage() {
	sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while getopts k:n:t:l:o:K:m:c:a:d:h opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	n) name=$OPTARG ;;
	t) tmo=$OPTARG ;;
	l) logf=$OPTARG ;;
	o) outdir=$OPTARG ;;
	K) kunit=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	a) kargs=$OPTARG ;;
	d)
		case $OPTARG in
		*[!A-Za-z0-9_./-]*) die "disk image path '$OPTARG': only letters, digits and _./- please" ;;
		esac
		[ -f "$OPTARG" ] || die "no disk image $OPTARG"
		disks="$disks $OPTARG"
		;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage

# The runtime (scripts/guest/uml.sh, scripts/guest/qemu.sh), chosen by the
# kernel image.  Each defines the same functions:
#   backend_check KERNEL      die unless KERNEL and the runtime are there
#   backend_check_mem MEM MEM_KB
#                             die unless the host has room for the guest
#   backend_prepare RUN       set up what it needs in the run directory
#   backend_boot KERNEL MEM CPUS RUN LOG INIT KERNEL_ARGS...
#                             start the guest in the background, in a
#                             process group of its own, with the disk
#                             images in $disks attached
#   backend_finish LOG        make the console log read as UML's does
case $kernel in
*/bzImage)
	backend=qemu
	. "$TOP/scripts/guest/qemu.sh"
	;;
*)
	backend=uml
	. "$TOP/scripts/guest/uml.sh"
	;;
esac
backend_check "$kernel"
if [ -z "$name" ]; then
	case $kernel in
	"$BTREE"/*) name=baseline ;;
	*) name=patched ;;
	esac
fi

# The guest's memory in kB.
case $mem in
*[Gg]) mem_kb=$((${mem%[Gg]} * 1024 * 1024)) ;;
*[Mm]) mem_kb=$((${mem%[Mm]} * 1024)) ;;
*[Kk]) mem_kb=${mem%[Kk]} ;;
*) mem_kb=$((mem / 1024)) ;;
esac
backend_check_mem "$mem" "$mem_kb"

run=$(mktemp -d /dev/shm/aiolock-run.XXXXXX)
backend_prepare "$run"
# shellcheck disable=SC2317 # called through trap
cleanup() {
	if [ -n "${pid:-}" ]; then
		kill -s KILL -- "-$pid" 2>/dev/null || true
	fi
	if [ -n "$outdir" ] && [ -d "$run/out" ]; then
		mkdir -p "$outdir"
		cp -a "$run/out/." "$outdir/" 2>/dev/null || true
	fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$run/out"
# The command, quoted for sh, and its status written where the host sees it.
# The variables named in AIOLOCK_PASS_ENV are passed on to the command.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
pass_env=${AIOLOCK_PASS_ENV:-TESTS_FS TESTS_ONLY AIOLOCK_FEATURE_DIO_LOCK}
pass_env="$pass_env AIOLOCK_FEATURE_DIO_LOCK_EXCL"
{
	for v in $pass_env; do
		val=
		isset=
		eval "val=\${$v-}; isset=\${$v+1}"
		if [ -n "$isset" ]; then
			printf 'export %s=%s\n' "$v" "$(q "$val")"
		fi
	done
	printf '%s' 'set +e; '
	for a in "$@"; do
		q "$a"
		printf ' '
	done
	# shellcheck disable=SC2016 # expanded in the guest
	printf '\necho $? > "$AIOLOCK_OUT/status"\n'
} >"$run/out/cmd"
chmod -R a+rwX "$run"
[ -n "$logf" ] || logf=$run/console.log
mkdir -p "$(dirname "$logf")"

if [ -n "$kunit" ]; then
	kunitargs="kunit.enable=1 kunit.filter_glob=$kunit"
else
	kunitargs="kunit.enable=0"
fi

# The guest gets its results directory ($run/out) and its parameters on
# the kernel command line; guest-init.sh runs the command.
# shellcheck disable=SC2086
set -- $kunitargs $kargs AIOLOCK_BACKEND="$backend" AIOLOCK_KERNEL="$name" \
	AIOLOCK_CWD="$(pwd)"
backend_boot "$kernel" "$mem" "$cpus" "$run" "$logf" \
	"$TOP/scripts/guest/guest-init.sh" "$@"
pid=$!
t0=$(date +%s)
rc=
while kill -0 "$pid" 2>/dev/null; do
	if [ $(($(date +%s) - t0)) -ge "$tmo" ]; then
		log "guest timed out after ${tmo}s; killing it"
		# "-s KILL --": dash's kill takes "-KILL --" for a signal and
		# a bad pid, and then kills nothing.
		kill -s KILL -- "-$pid" 2>/dev/null || true
		rc=124
		break
	fi
	sleep 1
done
wait "$pid" 2>/dev/null || true
pid=
backend_finish "$logf"
if [ -z "$rc" ]; then
	rc=$(cat "$run/out/status" 2>/dev/null || echo 125)
fi
[ "$rc" = 125 ] && log "guest died before the command finished; see $logf"
exit "$rc"
