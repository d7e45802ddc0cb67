# The QEMU runtime of run-guest.sh: an x86_64 bzImage boots under
# qemu-system-x86_64 with software emulation and CPUS virtual CPUs; the
# guest's root is the host root, read-only over virtio-9p, and the results
# directory is a read-write virtio-9p export.  Sourced by run-guest.sh,
# which describes the functions; not executed.
# shellcheck shell=sh

backend_check() { # backend_check KERNEL
	[ -f "$1" ] || die "no kernel at $1 (build it with 'make build-smp' or 'make build-rt')"
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 not found (apt-get install qemu-system-x86; 'make check-smp' installs it)"
}

# QEMU's guest memory is anonymous memory: nothing to check.
backend_check_mem() { # backend_check_mem MEM MEM_KB
	:
}

backend_prepare() { # backend_prepare RUN
	:
}

backend_boot() { # backend_boot KERNEL MEM CPUS RUN LOG INIT KERNEL_ARGS...
	_kernel=$1 _mem=$2 _cpus=$3 _run=$4 _logf=$5 _init=$6
	shift 6
	# Disks (vda, vdb...): virtio-blk, 512-byte sectors; the host page
	# cache is fine for test images in /dev/shm.
	_drives=
	# shellcheck disable=SC2154 # set by run-guest.sh
	for _d in $disks; do
		_drives="$_drives -drive file=$_d,format=raw,if=virtio,cache=unsafe"
	done
	# No KVM here: TCG, one host thread per virtual CPU.  One CPU per
	# socket, as SeaBIOS's MP table lists them (the guests' topology
	# before they had ACPI).  ACPI is there for the HPET and the PM timer
	# only: acpi=noirq routes PCI interrupts through SeaBIOS's PIRQ table,
	# because the debug kernels fail to derive the ACPI routing of the
	# virtio devices ("PCI INT A: no GSI") and then never mount the root.
	# The host root is exported read-only, the results directory
	# read-write; a reboot (the guest's way to stop, and panic=-1) ends
	# QEMU.
	# shellcheck disable=SC2086 # _drives is a list of options
	setsid qemu-system-x86_64 -accel tcg,thread=multi \
		-smp "$_cpus,sockets=$_cpus,cores=1,threads=1" \
		-m "$_mem" -nodefaults -no-reboot -display none -monitor none \
		-serial stdio -kernel "$_kernel" \
		-fsdev local,id=root,path=/,security_model=none,readonly=on \
		-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root \
		-fsdev local,id=out,path="$_run/out",security_model=none \
		-device virtio-9p-pci,fsdev=out,mount_tag=aiolock_out \
		$_drives \
		-append "console=ttyS0 root=/dev/root rootfstype=9p \
rootflags=trans=virtio,version=9p2000.L,msize=262144 ro \
init=$_init panic=-1 acpi=noirq \
hung_task_panic=0 $* AIOLOCK_RUN=aiolock_out" \
		</dev/null >"$_logf" 2>&1 &
}

# A serial console ends its lines with CR LF: strip the CR, so that the
# log reads as a UML console log does (report patterns anchor at $).
backend_finish() { # backend_finish LOG
	if sed 's/\r$//' "$1" >"$1.tmp"; then
		mv "$1.tmp" "$1"
	fi
}
