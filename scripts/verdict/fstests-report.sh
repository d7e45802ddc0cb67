#!/bin/sh
# Compare the fstests results of the patched kernel with the baseline's.
#
#   fstests-report.sh RUN       the report of a make fstests run, Markdown
#   fstests-report.sh -d CONF   the tests whose first-pass results differ in
#                               RUN/CONF, one per line (what to re-run)
#
# RUN is the run directory of scripts/jobs/fstests.sh: RUN/CONF/list (the
# tests), RUN/CONF/KERNEL/progress (one result per line, as
# scripts/verdict/fstests-parse.sh prints them) and verdict-N.txt (kernel
# reports of boot N, scripts/verdict/verdict.sh), and for re-runs
# RUN/CONF/KERNEL-rerunN/ in the same form.
#
# Per configuration, the tests that pass on both, fail on both (with the
# reason on each kernel), are not run on both (with the reason), and the
# differences: a test that fails, or is not run, on the patched kernel
# only.  A test whose first results differ was re-run on both kernels; it
# is a difference if the patched kernel failed it in a re-run too and the
# baseline passed every run; one that failed at least once on both is
# listed as flaky on both, with its counts.  Kernel reports are attributed
# to the test during which they were printed (fstests marks each test's
# start on the console): a class of report (lockdep, kasan, warn, ...) seen
# on the patched kernel only, in any test, is a difference.  A list of
# tests with no result on a kernel (an incomplete run) is reported too.
# Exit status 1 if there is any difference or incomplete run, else 0.
set -eu
usage() { echo "usage: fstests-report.sh RUN | -d RUN/CONF" >&2; exit 2; }

# result DIR TEST: "STATUS REASON" of TEST's last result in DIR/progress.
result() {
	awk -v t="$2" '$1 == t { st = $2; $1 = $2 = $3 = ""; r = $0 }
		END { sub(/^ +/, "", r); if (st != "") print st (r == "" ? "" : " " r) }' \
		"$1/progress" 2>/dev/null
}

# Tests whose first-pass status differs between the kernels, or that have
# no result on one of them.
differ() { # differ CONFDIR
	while read -r t; do
		b=$(result "$1/baseline" "$t" | cut -d' ' -f1)
		p=$(result "$1/patched" "$t" | cut -d' ' -f1)
		[ "$b" = "$p" ] || echo "$t"
	done <"$1/list"
}

if [ "${1:-}" = -d ]; then
	if [ $# -ne 2 ] || [ ! -f "$2/list" ]; then usage; fi
	differ "$2"
	exit 0
fi
if [ $# -ne 1 ] || [ ! -d "$1" ]; then usage; fi
run=$1

# Kernel reports per test: "TEST CLASS" for each report in a boot's
# verdict, TEST the last test started before the report's console line.
reports() { # reports KERNELDIR
	for v in "$1"/verdict-*.txt; do
		[ -f "$v" ] || continue
		n=${v##*/verdict-}
		n=${n%.txt}
		log=$1/console-$n.log
		sed -n 's/^verdict: \([a-z-]*\): .*:\([0-9]*\): .*/\2 \1/p' "$v" |
			while read -r at class; do
				t=$(head -n "$at" "$log" |
					sed -n 's/.*run fstests \([^ ]*\) at .*/\1/p' |
					tail -n 1)
				echo "${t:-boot} $class"
			done
	done
}

rc=0
echo "# fstests: patched against baseline"
echo
if [ -f "$run/params" ]; then
	sed 's/^/    /' "$run/params"
	echo
fi
for conf in "$run"/*/; do
	conf=${conf%/}
	[ -f "$conf/list" ] || continue
	c=${conf##*/}
	total=$(wc -l <"$conf/list")
	both_pass=0
	both_fail=
	both_notrun=
	diffs=
	flaky=
	missing=
	while read -r t; do
		b=$(result "$conf/baseline" "$t")
		p=$(result "$conf/patched" "$t")
		bs=${b%% *} ps=${p%% *}
		if [ -z "$b" ] || [ -z "$p" ]; then
			who=
			[ -n "$b" ] || who=baseline
			[ -n "$p" ] || who="${who:+$who and }patched"
			missing="$missing
- $t: no result on $who"
			continue
		fi
		if [ "$bs" = "$ps" ]; then
			case $bs in
			pass) both_pass=$((both_pass + 1)) ;;
			fail) both_fail="$both_fail
- $t: baseline: ${b#fail }; patched: ${p#fail }" ;;
			notrun) both_notrun="$both_notrun
- $t: ${p#notrun }" ;;
			esac
			continue
		fi
		# Different: count the re-runs.
		bf=0 pf=0 n=1
		[ "$bs" = fail ] && bf=1
		[ "$ps" = fail ] && pf=1
		for rr in "$conf"/baseline-rerun*; do
			[ -d "$rr" ] || continue
			n=$((n + 1))
			[ "$(result "$rr" "$t" | cut -d' ' -f1)" = fail ] && bf=$((bf + 1))
			pr=$(result "${rr%/baseline-rerun*}/patched-rerun${rr##*-rerun}" "$t" |
				cut -d' ' -f1)
			[ "$pr" = fail ] && pf=$((pf + 1))
		done
		counts="failed $pf of $n runs on patched, $bf of $n on baseline"
		if [ "$pf" -gt 0 ] && [ "$bf" -gt 0 ]; then
			flaky="$flaky
- $t: $counts"
		elif [ "$pf" -gt 0 ] || [ "$ps" = notrun ]; then
			diffs="$diffs
- $t: patched: $p; baseline: $b ($counts)"
		else
			# Fails on the baseline only, or not run there only.
			both_notrun="$both_notrun
- $t: baseline: $b; patched: $p ($counts)"
		fi
	done <"$conf/list"

	# Kernel reports.
	reports "$conf/baseline" | sort -u >"$conf/reports-baseline"
	reports "$conf/patched" | sort -u >"$conf/reports-patched"
	bclasses=$(cut -d' ' -f2 "$conf/reports-baseline" | sort -u | tr '\n' ' ')
	newrep=
	while read -r t class; do
		case " $bclasses " in
		*" $class "*) ;;
		*) newrep="$newrep
- $t: $class (patched only)" ;;
		esac
	done <"$conf/reports-patched"

	echo "## $c"
	echo
	echo "$total tests; $both_pass pass on both."
	echo
	if [ -n "$diffs$newrep$missing" ]; then
		rc=1
		echo "### Differences (patched only)"
		printf '%s\n' "$diffs$newrep$missing" | sed '/^$/d'
		echo
	else
		echo "No difference."
		echo
	fi
	for part in "Fail on both:$both_fail" "Flaky on both:$flaky" \
		"Not run on both; or failing or not run on the baseline only:$both_notrun"; do
		head=${part%%:*}
		body=${part#*:}
		[ -n "$body" ] || continue
		echo "### $head"
		printf '%s\n' "$body" | sed '/^$/d'
		echo
	done
	if [ -s "$conf/reports-baseline" ] || [ -s "$conf/reports-patched" ]; then
		echo "### Kernel reports (test, class)"
		sed 's/^/- baseline: /' "$conf/reports-baseline"
		sed 's/^/- patched: /' "$conf/reports-patched"
		echo
	fi
done
exit "$rc"
