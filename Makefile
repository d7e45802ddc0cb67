# aiolock workbench.  See README.md.
SHELL := /bin/sh

all: check

# The patched kernel tree (build/linux) and the baseline worktree.
tree:
	sh scripts/stack/tree.sh

# Write the commits of build/linux back to patches/.
export:
	sh scripts/stack/export.sh

# checkpatch --strict on every patch.
lint:
	sh scripts/stack/lint.sh

# Build the kernel after each patch in turn.
bisect-check:
	sh scripts/stack/bisect-check.sh

# Debug kernels, baseline and patched.
build:
	sh scripts/stack/tree.sh
	sh scripts/kernel/build.sh patched debug
	sh scripts/kernel/build.sh baseline debug

# Tests: KUnit, guest tests on both kernels, log verdicts.
check:
	sh scripts/jobs/check.sh

# x86_64 debug kernels for QEMU (SMP), baseline and patched.
build-smp:
	sh scripts/stack/tree.sh
	sh scripts/kernel/build.sh patched smp-debug
	sh scripts/kernel/build.sh baseline smp-debug

# The same checks on x86_64 under QEMU with 2 CPUs, and with PREEMPT_RT,
# plus locktorture (not run by CI: see README.md for how long they take).
check-smp:
	CHECK_RUNTIME=smp sh scripts/jobs/check.sh

check-rt:
	CHECK_RUNTIME=rt sh scripts/jobs/check.sh

# The main job: both kernels side by side on the headline workload.
demo:
	sh scripts/jobs/demo.sh

# A/B benchmarks of the baseline and the patched kernel (not run by CI):
# the whole matrix with 5 repetitions, results in bench/results/; or a
# subset in under 10 minutes.
bench:
	sh scripts/jobs/bench.sh full

bench-quick:
	sh scripts/jobs/bench.sh quick

# Where io_uring's sub-block writes are issued and wait (io-wq), on both
# kernels (not run by CI).
bench-iowq:
	sh scripts/jobs/iowq.sh

# x86_64 PREEMPT_RT debug kernels for QEMU, baseline and patched.
build-rt:
	sh scripts/stack/tree.sh
	sh scripts/kernel/build.sh patched rt-debug
	sh scripts/kernel/build.sh baseline rt-debug

# fstests on the baseline and the patched kernel, compared (not run by CI:
# see README.md for how long it takes).
fstests:
	sh scripts/jobs/fstests.sh

# Harness scripts must stay shellcheck clean.
shellcheck:
	TOP=$(CURDIR) sh -c '. scripts/common.sh && need_pkgs shellcheck'
	shellcheck -s sh -x scripts/*.sh scripts/*/*.sh bench/*.sh tests/*.sh .ci/run

clean:
	rm -rf build/check build/demo build/tests build/bench build/bench-runs

.PHONY: all tree export lint bisect-check build check build-smp check-smp check-rt \
	demo bench bench-quick bench-iowq build-rt fstests \
	shellcheck clean
