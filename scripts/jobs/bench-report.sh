#!/bin/sh
# Turn the raw results of one `make bench` run into a Markdown report on
# stdout: a table per workload with the median and interquartile range of
# every headline metric on each kernel, the ratio patched/baseline and the
# A/A ratio (baseline run twice), each as the median of the per-repetition
# ratios with their minimum and maximum.
#   bench-report.sh [-p PLOT_PREFIX] RUN_DIR
# With -p, also draws PLOT_PREFIX-fresh.png (the J3 ratios) and
# PLOT_PREFIX-submit.png (distribution of io_submit times, J6) with
# gnuplot, and the report links them by file name.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

plots=
while getopts p: opt; do
	case $opt in
	p) plots=$OPTARG ;;
	*) die "usage: bench-report.sh [-p PLOT_PREFIX] RUN_DIR" ;;
	esac
done
shift $((OPTIND - 1))
run=${1:?usage: bench-report.sh [-p PLOT_PREFIX] RUN_DIR}
[ -f "$run/params" ] || die "$run is not a benchmark run"
read -r set reps sublevel runtime ramp qd _ <"$run/params"
qd=${qd:-16} # runs from before J3's queue depth was a parameter
# The runtime that measured (bench.sh records it in host; runs from before
# it did were all UML).
runner=$(sed -n 's/^runner=//p' "$run/host" 2>/dev/null || true)
runner=${runner:-uml}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Every sample as: rep slot id metric value
for d in "$run"/rep*-*; do
	[ -d "$d" ] || continue
	b=$(basename "$d")
	rep=${b%%-*}
	rep=${rep#rep}
	slot=${b#*-}
	for j in "$d"/fio/*.json; do
		[ -f "$j" ] || continue
		id=$(basename "$j" .json)
		# A percentile fio did not report is left out (n counts the
		# samples), never taken as 0.  A job that both reads and
		# writes reports each direction's latency separately, so that
		# the medians never mix reads of one repetition with writes
		# of another.
		jq -r --arg id "$id" '
		  def lat(name; d):
		    (d.clat_ns.percentile["50.000000"] | select(. != null) |
		      "\($id) \(name)_p50_us \(. / 1000)"),
		    (d.clat_ns.percentile["99.000000"] | select(. != null) |
		      "\($id) \(name)_p99_us \(. / 1000)");
		  .jobs[] |
		  (if .jobname == "buffered-write" then "bufwr_" else "" end) as $pre |
		  "\($id) \($pre)iops \(.read.iops + .write.iops)",
		  (if .read.total_ios > 0 and .write.total_ios > 0 then
		     lat("\($pre)read_lat"; .read), lat("\($pre)write_lat"; .write)
		   elif .write.total_ios > .read.total_ios then lat("\($pre)lat"; .write)
		   else lat("\($pre)lat"; .read) end),
		  "\($id) \($pre)cpu_pct \(.usr_cpu + .sys_cpu)"' "$j" >"$tmp/jq.out" ||
			die "jq failed on $j"
		sed "s/^/$rep $slot /" "$tmp/jq.out"
	done
	sed -n 's/^ID \([^ ]*\) RESULT \(.*\)/\1 \2/p' "$d/probes.txt" 2>/dev/null |
		while read -r id kv; do
			for x in $kv; do
				case $x in
				*=*[!0-9.]*) ;;
				*=*) echo "$rep $slot $id ${x%%=*} ${x#*=}" ;;
				esac
			done
		done
	sed -n 's/^RESULT rwsem op=\([^ ]*\) \([a-z_]*\)=\([0-9.]*\)$/\1 \2 \3/p' \
		"$d/rwsem-bench.txt" 2>/dev/null |
		while read -r op metric x; do
			echo "$rep $slot rwsem.$runner.-.-.$op $metric $x"
		done
done >"$tmp/samples"
[ -s "$tmp/samples" ] || die "no samples in $run"
# A probe that saw an I/O error or data that failed verification makes
# the whole run worthless (bench-guest.sh already fails such a boot).
bad=$(awk '($4 == "errors" || $4 == "verify_bad" || $4 == "dio_errors") && $5 != 0 {
	printf " rep%s-%s %s %s=%s", $1, $2, $3, $4, $5 }' "$tmp/samples")
[ -z "$bad" ] || die "probes reported errors:$bad"

# 2. Statistics per (id, metric): median and IQR per kernel, per-repetition
# ratios patched/baseline and baseline2/baseline.
awk '
function sort(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}
# Quantile with linear interpolation (type 7) of sorted a[1..n].
function q(a, n, p,    h, l) {
	if (n == 0) return "nan"
	h = (n - 1) * p + 1
	l = int(h)
	if (l >= n) return a[n]
	return a[l] + (h - l) * (a[l + 1] - a[l])
}
{
	k = $3 " " $4
	if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
	v[k, $2, $1] = $5
	if ($1 > maxrep) maxrep = $1
}
END {
	for (i = 1; i <= nk; i++) {
		k = keys[i]
		line = k
		for (s = 1; s <= 3; s++) {
			slot = s == 1 ? "baseline" : s == 2 ? "patched" : "baseline2"
			n = 0
			delete a
			for (r = 1; r <= maxrep; r++)
				if ((k, slot, r) in v) a[++n] = v[k, slot, r]
			sort(a, n)
			line = line " " n " " q(a, n, 0.5) " " q(a, n, 0.25) " " q(a, n, 0.75)
		}
		for (s = 2; s <= 3; s++) {
			slot = s == 2 ? "patched" : "baseline2"
			n = 0
			m = 0
			delete a
			for (r = 1; r <= maxrep; r++)
				if ((k, slot, r) in v && (k, "baseline", r) in v) {
					m++
					if (v[k, "baseline", r] > 0)
						a[++n] = v[k, slot, r] / v[k, "baseline", r]
				}
			# A repetition whose baseline measured 0 has no ratio:
			# then the metric has none, rather than a median of the
			# other repetitions that n (B/P/A) would not show.
			if (n < m)
				n = 0
			sort(a, n)
			line = line " " q(a, n, 0.5) " " (n ? a[1] : "nan") " " (n ? a[n] : "nan")
		}
		print line
	}
}' "$tmp/samples" | sort >"$tmp/stats"
# stats: id metric  nB medB q1B q3B  nP medP q1P q3P  nA medA q1A q3A
#        ratio rmin rmax  aa aamin aamax

# 3. Markdown.
fmt() { # number formatting for the tables
	awk -v x="$1" 'BEGIN {
		if (x == "nan") { print "-"; exit }
		ax = x < 0 ? -x : x
		if (ax >= 1000) printf "%.0f", x
		else if (ax >= 100) printf "%.1f", x
		else if (ax >= 1) printf "%.2f", x
		else printf "%.3f", x
	}'
}
ratio() {
	[ "$1" = nan ] && { echo "-"; return; }
	awk -v r="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.2f (%.2f-%.2f)", r, a, b }'
}

# "yes" when the median patched/baseline ratio lies outside the range of
# the A/A ratios, i.e. when the difference is larger than the noise seen
# between two boots of the same kernel.
beyond() {
	awk -v r="$1" -v a="$2" -v b="$3" 'BEGIN {
		if (r == "nan" || a == "nan") print "-"
		else if (r < a) print "yes (lower)"
		else if (r > b) print "yes (higher)"
		else print "no"
	}'
}

table() { # table WORKLOAD "METRIC..." HEADING TEXT
	w=$1
	metrics=$2
	# Workloads that were not part of the run get no table.
	grep -q "^$w\." "$tmp/stats" || return 0
	echo
	echo "### $3"
	echo
	echo "$4"
	echo
	echo "| device | fs | engine | variant | metric | baseline median [IQR] | patched median [IQR] | n (B/P/A) | patched/baseline (min-max) | A/A (min-max) | beyond A/A |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	for m in $metrics; do
		grep "^$w\.[^ ]* $m " "$tmp/stats" || true
	done | sort -t' ' -k1,1 -s |
		while read -r id metric nb mb q1b q3b np mp q1p q3p na ma q1a q3a r rmin rmax aa aamin aamax; do
			rest=${id#*.}
			dev=${rest%%.*}
			rest=${rest#*.}
			fs=${rest%%.*}
			rest=${rest#*.}
			engine=${rest%%.*}
			variant=${rest#*.}
			printf '| %s | %s | %s | %s | %s | %s [%s-%s] | %s [%s-%s] | %s/%s/%s | %s | %s | %s |\n' \
				"$dev" "$fs" "$engine" "$variant" "$metric" \
				"$(fmt "$mb")" "$(fmt "$q1b")" "$(fmt "$q3b")" \
				"$(fmt "$mp")" "$(fmt "$q1p")" "$(fmt "$q3p")" \
				"$nb" "$np" "$na" \
				"$(ratio "$r" "$rmin" "$rmax")" "$(ratio "$aa" "$aamin" "$aamax")" \
				"$(beyond "$r" "$aamin" "$aamax")"
			: "$ma $q1a $q3a"
		done
}

# The machine that ran the benchmark (bench.sh records it), not the one
# writing the report.
host="an unrecorded host"
runtime_text="UML (ARCH=um, one CPU)"
ubd_text="a UML block device backed by a file in /dev/shm"
if [ "$runner" = qemu ]; then
	runtime_text="x86_64 under QEMU with 2 virtual CPUs and software emulation
(TCG: every instruction is emulated, so the absolute numbers are far below
real hardware and only the ratios mean anything)"
	ubd_text="a virtio-blk disk backed by a file in /dev/shm"
fi
if [ -f "$run/host" ]; then
	host="$(sed -n 's/^cores=//p' "$run/host") host cores ($(sed -n 's/^cpu=//p' "$run/host"))"
fi

# A parameter of a probe, from its own RESULT lines: "16", or "16/32" when
# the repetitions or the variants differ.
param() { # param WORKLOAD KEY
	awk -v w="$1" -v k="$2" 'index($3, w ".") == 1 && $4 == k { print $5 }' \
		"$tmp/samples" | sort -n -u | paste -s -d/ -
}
cat <<EOF
# A/B benchmark: Linux $sublevel baseline vs patched

Run \`$(basename "$run")\`: set "$set", $reps repetitions; each repetition
boots the baseline, the patched kernel and the baseline again (A/A), in
rotating order.  $runtime_text, without lock or memory debugging,
on $host.  fio jobs run $runtime after $ramp of
ramp; J3 at queue depth $qd; every measurement has a freshly made
filesystem.

Devices: \`nbN\` is a memory-backed null_blk disk completing every request
N us after submission from a timer interrupt (\`nb0\`: completed inline);
\`ubd\` is $ubd_text.  512-byte
logical sectors; XFS and ext4 with 4 KiB blocks.

Numbers are medians over the repetitions with the interquartile range in
brackets.  Ratios are patched/baseline per repetition (median, min-max);
the A/A column is the same ratio between the two baseline boots of each
repetition: ratios inside its range are noise, and the last column says
whether the median patched/baseline ratio lies outside it.  IOPS count reads and
writes; latencies (us) are fio's completion latency percentiles, CPU is
user+system time of the fio job in per cent of one CPU.
EOF

loop=$(cat "$run"/rep*/rwsem-bench.txt 2>/dev/null |
	sed -n 's/^RESULT rwsem-loop rounds=\([0-9]*\) pairs=\([0-9]*\)$/best of \1 x \2/p' |
	sort -u | paste -s -d/ -)
[ -n "$loop" ] || loop="best of several rounds"
table rwsem "ns_per_pair bytes" "rwsem fast paths" \
"Uncontended down/up pairs, $loop per boot, and sizeof(struct rw_semaphore), from the same module source (the series' KUnit microbenchmark) built against each kernel."
table j0 "iops lat_p99_us" "J0: raw device, 4 KiB random, libaio QD32" \
"The physical limit of each device, no filesystem."
table j1 "iops lat_p99_us cpu_pct" "J1: aligned 4 KiB random reads and overwrites, QD32" \
"No-regression control: block-aligned direct I/O never needed the changed paths."
table j2 "iops read_lat_p99_us write_lat_p99_us cpu_pct" "J2: 512-byte random reads and overwrites (50/50), libaio QD32" \
"Control: sub-block overwrites of written data, which 6.12 already runs asynchronously."
table j3 "iops lat_p99_us cpu_pct" "J3: 512-byte writes into fresh space, 16 files, one submitter, QD$qd" \
"The case the series is for: append past EOF, writes into holes and into unwritten extents."
table j4 "iops lat_p99_us bufwr_lat_p99_us" "J4: direct reads QD32 + rate-limited buffered writes to the same file" \
"Where holding the lock until completion can cost: the buffered writer needs the inode lock exclusively (iops and lat: the direct reads; bufwr: the buffered writes)."
table j5 "op_p50_us op_p99_us dio_iops inflight_frac" "J5: truncate, fallocate and punch hole with direct I/O in flight" \
"meta-probe: $(param j5 qd) direct 4 KiB writes kept in flight on one half of a file while the operation runs $(param j5 ops) times on the other half (op: latency of the operation, dio_iops: direct writes completed meanwhile, inflight_frac: fraction of the operations that started with requests in flight on the device; an operation that found the device idle measured nothing)."
table j6 "submit_p50_us submit_p99_us iops" "J6: io_submit / io_uring_enter time for 512-byte async writes" \
"subblock-probe: $(param j6 files) files, QD$(param j6 qd), $(param j6 ios) writes; time spent in the submission call, against the device latency in the device name."

if [ -n "$plots" ]; then
	# J3 ratios with their spread, A/A next to them.
	awk '$1 ~ /^j3\./ && $2 == "iops" {
		split($1, p, ".")
		printf "\"%s %s %s %s\" %s %s %s %s %s %s\n", p[2], p[3], p[4], p[5],
			$15, $16, $17, $18, $19, $20
	}' "$tmp/stats" >"$tmp/j3.dat"
	if [ -s "$tmp/j3.dat" ]; then
		gnuplot <<-EOF
			set terminal pngcairo size 1400,600 font ",9"
			set output "$plots-fresh.png"
			set title "J3: 512-byte async direct writes into fresh space, IOPS patched/baseline ($sublevel, $reps reps, median and min-max)"
			set ylabel "ratio"
			set xtics rotate by -60 noenhanced
			set grid ytics
			set key top left
			set yrange [0:*]
			set offsets 0.5, 0.5, 0, 0
			plot "$tmp/j3.dat" using (\$0 - 0.15):2:3:4:xtic(1) with yerrorbars pt 7 lc rgb "#c03030" title "patched / baseline", \
			     "" using (\$0 + 0.15):5:6:7 with yerrorbars pt 6 lc rgb "#606060" title "baseline / baseline (A/A)", \
			     1 with lines lc rgb "black" notitle
		EOF
	fi
	# Distribution of the submission times, first repetition.
	h=hist/j6.nb200.xfs.libaio.append
	hb=$run/rep1-baseline/$h
	hp=$run/rep1-patched/$h
	if [ -f "$hb" ] && [ -f "$hp" ]; then
		nb=$(wc -l <"$hb")
		np=$(wc -l <"$hp")
		gnuplot <<-EOF
			set terminal pngcairo size 900,600 font ",10"
			set output "$plots-submit.png"
			set title "J6: time in io\\\\_submit for 512-byte appends, XFS, device latency 200 us ($sublevel, repetition 1)"
			set xlabel "io\\\\_submit time (us)"
			set ylabel "fraction of submissions"
			set logscale x
			set grid
			set key bottom right
			set arrow from 200, graph 0 to 200, graph 1 nohead dt 2
			plot "$hb" using 1:((\$0 + 1) / $nb) with lines lw 2 lc rgb "#606060" title "baseline", \
			     "$hp" using 1:((\$0 + 1) / $np) with lines lw 2 lc rgb "#c03030" title "patched"
		EOF
	fi
	echo
	echo "## Plots"
	echo
	[ -f "$plots-fresh.png" ] && echo "![J3 ratios]($(basename "$plots")-fresh.png)"
	echo
	[ -f "$plots-submit.png" ] && echo "![J6 submission times]($(basename "$plots")-submit.png)"
fi
true
