#!/bin/sh
# `make bench-iowq`: where J3's sub-block io_uring writes go on the
# baseline and on the patched kernel (benchmark builds with event
# tracing, config/trace.config): how many are
# punted from the submitting task to io-wq, hashed or not, how many
# requests the device has in flight, how many io-wq workers there are and
# what they wait for (bench/iowq-guest.sh).  One boot per kernel; the
# sampling perturbs the workload, so the IOPS here are not the benchmark's
# (make bench); every sample costs the one-CPU guest some system calls, so
# IOWQ_INTERVAL_MS (default 50) keeps them rare.  IOWQ_FS selects the
# filesystems (default "xfs ext4 ext2"), BENCH_J3_QD J3's queue depth (16).
# Raw output in build/iowq/.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"
cd "$TOP"

res=$BUILD/iowq
rm -rf "$res"
mkdir -p "$res"
need_all_pkgs
need_pkgs fio jq
make -s -C bench O="$BUILD/bench"
sh scripts/stack/tree.sh
for k in baseline patched; do
	sh scripts/kernel/build.sh "$k" trace
done
export BENCH_RUNTIME="${BENCH_RUNTIME:-3s}" BENCH_RAMP="${BENCH_RAMP:-500ms}"
export IOWQ_INTERVAL_MS="${IOWQ_INTERVAL_MS:-50}"
export AIOLOCK_PASS_ENV="BENCH_RUNTIME BENCH_RAMP BENCH_J3_QD IOWQ_INTERVAL_MS"
for k in baseline patched; do
	log "bench-iowq: $k kernel"
	rc=0
	sh scripts/guest/run-guest.sh -k "$(kernel_bin "$k" trace)" -n "$k" -t 1200 \
		-m 2560M -o "$res/$k" -l "$res/$k/console.log" \
		-a null_blk.nr_devices=0 -- \
		sh bench/iowq-guest.sh "$BUILD/bench" "${IOWQ_FS:-xfs ext4 ext2}" || rc=$?
	[ $rc -eq 0 ] || die "bench-iowq failed on $k (status $rc); see $res/$k"
	grep -q '^iowq-guest: done' "$res/$k/output" ||
		die "bench-iowq did not finish on $k; see $res/$k"
	sh scripts/verdict/verdict.sh "$res/$k/console.log" >/dev/null ||
		die "kernel reports in $res/$k/console.log"
done

# key=value lookup in a RESULT line
val() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# The io-wq workers' states (R running, S idle, D blocked) as shares of
# the worker samples, and where the blocked ones waited most.
top_wait() { # top_wait OUTPUT ID
	awk -v id="id=$2" '$1 == "WCHAN" && $2 == id && $3 == "worker" {
		st = substr($4, 1, 1); n += $5; c[st] += $5
		if (st == "D" && $5 > best) { best = $5; name = substr($4, 3) } }
		END { if (!n) { print "-"; exit }
		printf "R %d%% S %d%% D %d%%%s", 100 * c["R"] / n, 100 * c["S"] / n,
			100 * c["D"] / n, best ? " (" name ")" : "" }' "$1"
}

echo
echo "J3 (512-byte direct writes into fresh space, 16 files, QD${BENCH_J3_QD:-16}) on null_blk,"
echo "200 us latency; $(cat "$BUILD/sublevel") baseline (B) vs patched (P), one run each."
echo "punted: share of io_uring requests issued from io-wq (h: hashed);"
echo "inflight: mean requests on the device; workers: mean io-wq workers; busy: CPU."
echo
printf '%-24s %7s %7s | %9s %9s | %9s %9s | %7s %7s | %5s %5s\n' case \
	"B IOPS" "P IOPS" "B punted" "P punted" "B inflt" "P inflt" \
	"B wrk" "P wrk" "B bsy" "P bsy"
grep '^RESULT id=' "$res/baseline/output" | while read -r b; do
	id=$(val "$b" id)
	p=$(grep "^RESULT id=$id " "$res/patched/output")
	pct() { # pct RESULT
		s=$(val "$1" submitted)
		h=$(val "$1" punted_hashed)
		n=$(val "$1" punted_normal)
		if [ "$s" -gt 0 ]; then
			printf '%d%%%s' $(((h + n) * 100 / s)) "$([ "$h" -gt 0 ] && echo h)"
		else
			echo -
		fi
	}
	printf '%-24s %7.0f %7.0f | %9s %9s | %9s %9s | %7s %7s | %5s %5s\n' "$id" \
		"$(val "$b" iops)" "$(val "$p" iops)" "$(pct "$b")" "$(pct "$p")" \
		"$(val "$b" inflight_mean)" "$(val "$p" inflight_mean)" \
		"$(val "$b" workers_mean)" "$(val "$p" workers_mean)" \
		"$(val "$b" busy_pct)" "$(val "$p" busy_pct)"
done
echo
echo "io-wq worker states (share of worker samples; D: where blocked most):"
grep '^RESULT id=.*io_uring' "$res/baseline/output" | while read -r b; do
	id=$(val "$b" id)
	printf '  %-24s B: %-44s P: %s\n' "$id" "$(top_wait "$res/baseline/output" "$id")" \
		"$(top_wait "$res/patched/output" "$id")"
done
