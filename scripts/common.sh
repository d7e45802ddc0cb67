# Shared helpers for the workbench scripts.  Sourced, not executed.
# shellcheck shell=sh

# The scripts that source this live in scripts/STAGE/ and set TOP first.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
SRC_TARBALL=${SRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
KTREE=${KTREE:-$BUILD/linux}        # patched tree, the one developers edit
BTREE=${BTREE:-$BUILD/baseline}     # pristine worktree at tag "base"
JOBS=${JOBS:-$(($(nproc) + 1))}

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/aiolock-ccache}"
export CCACHE_BASEDIR="$BUILD"
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"

# The source tree of a kernel: baseline (pristine) or patched.
kernel_src() { # kernel_src baseline|patched
	case $1 in
	baseline) echo "$BTREE" ;;
	patched) echo "$KTREE" ;;
	*) die "unknown kernel '$1'" ;;
	esac
}

# The kernel image of a kernel and flavour (scripts/kernel/build.sh): a UML
# binary, an x86_64 bzImage for QEMU, or (fastpath) one object.
kernel_bin() { # kernel_bin baseline|patched debug|bench|trace|smp-debug|rt-debug|smp-bench|fastpath|fastpath-preempt
	case $2 in
	smp-debug | rt-debug | smp-bench)
		echo "$(kernel_src "$1")/_out-$2/arch/x86/boot/bzImage" ;;
	fastpath | fastpath-preempt)
		echo "$(kernel_src "$1")/_out-$2/kernel/locking/rwsem.o" ;;
	*)
		echo "$(kernel_src "$1")/_out-$2/linux" ;;
	esac
}

# make in a kernel tree, out of tree, with ccache and reproducible build
# stamps (so that the baseline and the patched kernel share one ccache).
kmake_in() { # kmake_in SRC OUT MAKE_ARGS...
	_ksrc=$1
	_kout=$2
	shift 2
	make -C "$_ksrc" O="$_kout" CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 1970" \
		KBUILD_BUILD_USER=aiolock KBUILD_BUILD_HOST=aiolock "$@"
}

log() {
	printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# The patches DIR/series lists, one path a line.
series_files() { # series_files DIR
	[ -s "$1/series" ] || return 0
	grep -v -e '^#' -e '^$' "$1/series" | sed "s|^|$1/|"
}

# Run a long command with its output in a log file, printing a heartbeat
# every 30 seconds and the tail of the log on failure.
#   run_logged LOGFILE DESCRIPTION CMD...
run_logged() {
	_log=$1
	_what=$2
	shift 2
	_t0=$(date +%s)
	log "$_what (log: $_log)"
	mkdir -p "$(dirname "$_log")"
	"$@" >"$_log" 2>&1 &
	_pid=$!
	while kill -0 "$_pid" 2>/dev/null; do
		_i=0
		while [ $_i -lt 30 ] && kill -0 "$_pid" 2>/dev/null; do
			sleep 1
			_i=$((_i + 1))
		done
		if kill -0 "$_pid" 2>/dev/null; then
			log "  ... $_what: $(($(date +%s) - _t0))s"
		fi
	done
	if wait "$_pid"; then
		log "$_what: done in $(($(date +%s) - _t0))s"
	else
		_rc=$?
		log "$_what: FAILED after $(($(date +%s) - _t0))s; last lines of $_log:"
		tail -n 40 "$_log" >&2
		return $_rc
	fi
}

# Install Debian packages that are missing.  Needs root (CI and the
# developer machines run as root); prints what it installs.
need_pkgs() {
	_missing=
	for _p in "$@"; do
		dpkg-query -W -f='${Status}' "$_p" 2>/dev/null |
			grep -q 'install ok installed' || _missing="$_missing $_p"
	done
	[ -z "$_missing" ] && return 0
	log "installing:$_missing"
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages:$_missing (run as root or install them)"
	fi
	mkdir -p "${BUILD:-/tmp}"
	# Another apt-get or dpkg may be running: wait for its lock.
	# shellcheck disable=SC2086
	{ apt-get -o DPkg::Lock::Timeout=600 update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y -q --no-install-recommends $_missing; } \
		>"${BUILD:-/tmp}/apt.log" 2>&1 ||
		{ tail -n 20 "${BUILD:-/tmp}/apt.log" >&2; die "apt-get failed"; }
}

# Everything the workbench needs on a Debian 12 machine.
need_all_pkgs() {
	need_pkgs build-essential bc bison flex libelf-dev libssl-dev ccache \
		git xz-utils linux-source-6.12 xfsprogs e2fsprogs libaio-dev \
		liburing-dev python3 kmod btrfs-progs f2fs-tools gfs2-utils \
		erofs-utils
}
