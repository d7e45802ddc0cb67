#!/bin/sh
# Compare the fstests results of the patched kernel with the baseline's.
#
#   fstests-report.sh RUN       the report of a make fstests run, Markdown
#   fstests-report.sh -d CONF   the tests whose first-pass results differ in
#                               RUN/CONF, one per line (what to re-run)
#
# RUN is the run directory of scripts/jobs/fstests.sh: RUN/CONF/list (the
# tests) and, per kernel, RUN/CONF/KERNEL/ (first pass) and
# RUN/CONF/KERNEL-rerunN/ (re-runs), each with progress (one result per
# line, as scripts/verdict/fstests-parse.sh prints them), and per boot N
# console-N.log, which is scanned with scripts/verdict/verdict.sh.
#
# A result is pass, notrun or fail:KIND, KIND what failed: crash (the
# guest died, hung or was killed during the test), dmesg (fstests found
# kernel messages), fsck (the filesystem check after the test), mismatch
# (the test's output), error (fstests did not know the test).  Per
# configuration the report lists the tests that pass on both kernels,
# fail on both in the same way, are not run on both, and the differences:
#   - a test that fails (or fails in another way) or is not run on the
#     patched kernel only: it was re-run on both kernels, and a failure
#     is a difference if the patched kernel failed it that way in more
#     runs than the baseline did (else it is listed as flaky on both);
#   - a kernel report (lockdep, kasan, warn, ...; verdict.sh's class)
#     printed during a test on the patched kernel, in any of its runs,
#     with no report of that class during that test on the baseline
#     (fstests marks each test's start on the console);
#   - a boot of the patched kernel that did not finish (no "aiolock-guest:
#     done" on its console: it died or timed out), unless a baseline boot
#     ended the same way in the same test;
#   - a test with no result, a test fstests did not know, and a
#     configuration in which no test passed on either kernel.
# Exit status 1 if there is any difference, else 0.
set -eu
usage() { echo "usage: fstests-report.sh RUN | -d RUN/CONF" >&2; exit 2; }

# result DIR TEST: "STATUS REASON" of TEST's last result in DIR/progress,
# STATUS pass, notrun or fail:KIND.
result() {
	awk -v t="$2" '$1 == t {
		st = $2; $1 = $2 = $3 = ""; r = $0
		sub(/^ +/, "", r)
		if (st == "fail") {
			if (r ~ /guest died|timed out|no result|no progress/)
				st = "fail:crash"
			else if (r ~ /no such test|unknown test/)
				st = "fail:error"
			else if (r ~ /_check_dmesg/)
				st = "fail:dmesg"
			else if (r ~ /_check_[a-z0-9_]*filesystem|inconsistent/)
				st = "fail:fsck"
			else
				st = "fail:mismatch"
		}
	}
	END { if (st != "") print st (r == "" ? "" : " " r) }' \
		"$1/progress" 2>/dev/null
}
status() { result "$1" "$2" | cut -d' ' -f1; }

# Tests whose first-pass status differs between the kernels, or that have
# no result on one of them.
differ() { # differ CONFDIR
	while read -r t; do
		[ "$(status "$1/baseline" "$t")" = "$(status "$1/patched" "$t")" ] ||
			echo "$t"
	done <"$1/list"
}

if [ "${1:-}" = -d ]; then
	if [ $# -ne 2 ] || [ ! -f "$2/list" ]; then usage; fi
	differ "$2"
	exit 0
fi
if [ $# -ne 1 ] || [ ! -d "$1" ]; then usage; fi
run=$1

# "TEST CLASS" for each kernel report in the boots of a kernel (first pass
# and re-runs), TEST the test whose start marker last precedes the report
# ("boot" before the first), and "TEST unfinished" for each boot that did
# not finish, TEST the last test it started.
reports() { # reports CONFDIR KERNEL
	for d in "$1/$2" "$1/$2"-rerun*; do
		for log in "$d"/console-*.log; do
			[ -f "$log" ] || continue
			v=$tmp/verdict
			sh "$here/verdict.sh" "$log" >"$v" 2>&1 || true
			awk -v vf="$v" '
			BEGIN {
				# "verdict: CLASS: FILE:LINE: TEXT"; FILE has no ":"
				while ((getline l < vf) > 0)
					if (match(l, /^verdict: [a-z-]+: [^:]*:[0-9]+: /)) {
						split(substr(l, 10), f, ":")
						cls = f[1]
						n = l
						sub(/^verdict: [a-z-]+: [^:]*:/, "", n)
						sub(/:.*/, "", n)
						if (cls !~ /^known-/)
							want[n + 0] = cls
					}
			}
			/run fstests [^ ]+ at / {
				t = $0
				sub(/.*run fstests /, "", t)
				sub(/ .*/, "", t)
			}
			/^aiolock-guest: done, status/ { done = 1 }
			NR in want { print (t == "" ? "boot" : t), want[NR] }
			END { if (!done) print (t == "" ? "boot" : t), "unfinished" }
			' "$log"
		done
	done | sort -u
}

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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
		if [ "$ps" = fail:error ] || [ "$bs" = fail:error ]; then
			missing="$missing
- $t: fstests does not know it (patched: $p; baseline: $b)"
			continue
		fi
		if [ "$bs" = "$ps" ]; then
			case $bs in
			pass) both_pass=$((both_pass + 1)) ;;
			fail:*) both_fail="$both_fail
- $t: baseline: ${b#fail:}; patched: ${p#fail:}" ;;
			notrun) both_notrun="$both_notrun
- $t: ${p#notrun }" ;;
			esac
			continue
		fi
		# Different: re-run on both kernels.  Count the runs in which
		# each kernel failed the test the way the patched kernel did
		# in the first pass.
		n=1 bf=0 pf=0
		case $ps in fail:*) pf=1 ;; esac
		[ "$bs" = "$ps" ] && bf=1
		i=1
		while [ -d "$conf/baseline-rerun$i" ] || [ -d "$conf/patched-rerun$i" ]; do
			n=$((n + 1))
			[ "$(status "$conf/baseline-rerun$i" "$t")" = "$ps" ] && bf=$((bf + 1))
			[ "$(status "$conf/patched-rerun$i" "$t")" = "$ps" ] && pf=$((pf + 1))
			i=$((i + 1))
		done
		counts="$ps in $pf of $n runs on patched, $bf of $n on baseline"
		case $ps in
		fail:*)
			if [ "$pf" -gt "$bf" ]; then
				diffs="$diffs
- $t: patched: $p; baseline: $b ($counts)"
			else
				flaky="$flaky
- $t: $counts"
			fi
			;;
		notrun)
			diffs="$diffs
- $t: patched: $p; baseline: $b"
			;;
		*)
			both_notrun="$both_notrun
- $t: baseline: $b; patched: $p"
			;;
		esac
	done <"$conf/list"

	reports "$conf" baseline >"$conf/reports-baseline"
	reports "$conf" patched >"$conf/reports-patched"
	newrep=$(grep -vxF -f "$conf/reports-baseline" "$conf/reports-patched" |
		sed 's/^\([^ ]*\) \(.*\)/- \1: \2 (patched only)/' || true)
	if [ "$both_pass" -eq 0 ]; then
		missing="$missing
- no test passed on either kernel"
	fi

	echo "## $c"
	echo
	echo "$total tests; $both_pass pass on both."
	echo
	if [ -n "$diffs$newrep$missing" ]; then
		rc=1
		echo "### Differences (patched only)"
		printf '%s\n' "$diffs" "$newrep" "$missing" | sed '/^$/d'
		echo
	else
		echo "No difference."
		echo
	fi
	for part in "Fail on both, in the same way:$both_fail" \
		"Flaky on both:$flaky" \
		"Not run on both; or failing or not run on the baseline only:$both_notrun"; do
		head=${part%%:*}
		body=${part#*:}
		[ -n "$body" ] || continue
		echo "### $head"
		printf '%s\n' "$body" | sed '/^$/d'
		echo
	done
	for k in baseline patched; do
		for d in "$conf/$k" "$conf/$k"-rerun*; do
			[ -f "$d/lockdep-off" ] || continue
			echo "### Lock debugging went off (${d##*/}; the tests after it ran again in a new boot)"
			sed 's/^/- /' "$d/lockdep-off"
			echo
		done
	done
	if [ -s "$conf/reports-baseline" ] || [ -s "$conf/reports-patched" ]; then
		echo "### Kernel reports and unfinished boots (test: class)"
		sed 's/^\([^ ]*\) /- baseline: \1: /' "$conf/reports-baseline"
		sed 's/^\([^ ]*\) /- patched: \1: /' "$conf/reports-patched"
		echo
	fi
done
exit "$rc"
