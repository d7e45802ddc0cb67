# The User Mode Linux runtime of run-guest.sh: the kernel (_out-FLAVOR/linux)
# runs as a host process with one CPU; the guest's root is the host root,
# read-only through hostfs, and the results directory is a host directory
# mounted through hostfs too.  Sourced by run-guest.sh, which describes the
# functions; not executed.
# shellcheck shell=sh

backend_check() { # backend_check KERNEL
	[ -x "$1" ] || die "no kernel at $1 (build it with 'make build')"
}

# A UML guest's memory is a file in /dev/shm: a tmpfs too small for it
# kills the guest part-way with SIGBUS, so check before booting.
backend_check_mem() { # backend_check_mem MEM MEM_KB
	_shm_kb=$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')
	if [ "${_shm_kb:-0}" -lt $(($2 + 65536)) ]; then
		die "/dev/shm has $((${_shm_kb:-0} / 1024)) MB free; the guest needs $(($2 / 1024 + 64)) MB (mem=$1): enlarge it (mount -o remount,size=$(($2 / 1024 + 1024))M /dev/shm) or free space"
	fi
}

backend_prepare() { # backend_prepare RUN
	mkdir -p "$1/uml"
}

backend_boot() { # backend_boot KERNEL MEM CPUS RUN LOG INIT KERNEL_ARGS...
	_kernel=$1 _mem=$2 _run=$4 _logf=$5 _init=$6
	shift 6
	# Disks from the second on: ubdb, ubdc...  (ubd0 would be the root.)
	_n=1
	# shellcheck disable=SC2154 # set by run-guest.sh
	for _d in $disks; do
		set -- "$@" "ubd$_n=$_d"
		_n=$((_n + 1))
	done
	# umid/uml_dir keep the guest's control files inside RUN; TMPDIR
	# holds the guest memory file.  setsid puts the guest's helper
	# processes in a group of their own, which the cleanup kills.
	TMPDIR=$_run setsid "$_kernel" mem="$_mem" umid=aiolock uml_dir="$_run/uml" \
		rootfstype=hostfs hostfs=/ ro init="$_init" \
		con0=fd:0,fd:1 con=null ssl=null panic=-1 \
		hung_task_panic=0 "$@" AIOLOCK_RUN="$_run/out" \
		</dev/null >"$_logf" 2>&1 &
}

# The console log is the guest's standard output, as it is.
backend_finish() { # backend_finish LOG
	:
}
