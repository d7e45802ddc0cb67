#!/bin/sh
# Scan a guest console log for kernel reports that fail a run.
#
#   verdict.sh LOG...
#
# Prints one line per report found and exits 1 if any counts as a failure:
# lockdep reports (circular dependency, inconsistent lock state, lock held
# when returning to user space, bad unlock balance, ...), suspicious RCU
# usage, KASAN, WARN (WARNING: CPU: ...), BUG/Oops/panic, hung tasks, RCU
# stalls and filesystem internal errors.  Only kernel lines (printk
# timestamps) are considered, so test programs printing "WARNING:" cannot
# cause or hide anything.
#
# One report is known and counted separately instead of failing: UML 6.12
# prints "suspicious RCU usage" at lib/maple_tree.c:835 when the last
# reference to an aio context is dropped from a workqueue (UML's
# flush_tlb_mm() walks the VMA tree without RCU).  It happens on the
# pristine kernel too and only that exact signature is excused.
set -eu
[ $# -gt 0 ] || { echo "usage: verdict.sh LOG..." >&2; exit 2; }

rc=0
for f in "$@"; do
	awk -v file="$f" '
	{ line[NR] = $0 }
	END {
		fail = 0; known = 0
		for (i = 1; i <= NR; i++) {
			l = line[i]
			if (l !~ /^\[ *[0-9]+\.[0-9]+\] /)
				continue
			sub(/^\[ *[0-9]+\.[0-9]+\] /, "", l)
			class = ""
			if (l ~ /^WARNING: suspicious RCU usage/) {
				class = "rcu"
				if (near(i, 6, "lib/maple_tree\\.c:835 ") &&
				    near(i, 120, "flush_tlb_mm"))
					class = "known-uml-rcu"
			} else if (l ~ /^WARNING: CPU: [0-9]+ PID: [0-9]+ at /)
				class = "warn"
			else if (l ~ /^WARNING: / || l ~ /^DEBUG_LOCKS_WARN_ON/ ||
				 l ~ /^INFO: trying to register non-static key/)
				class = "lockdep"
			else if (l ~ /^BUG: KASAN: / || l ~ /^BUG: KFENCE: /)
				class = "kasan"
			else if (l ~ /^INFO: task .* blocked for more than [0-9]+ seconds/)
				class = "hung-task"
			else if (l ~ /^rcu: INFO: .*detected stall/ ||
				 l ~ /self-detected stall on CPU/)
				class = "rcu-stall"
			else if (l ~ /^BUG: / || l ~ /^kernel BUG at / ||
				 l ~ /^Oops/ || l ~ /^general protection fault/ ||
				 l ~ /^Kernel panic/ || l ~ /^Kernel mode fault at/)
				class = "bug"
			else if (l ~ /^XFS.*(Internal error|Corruption|Assertion failed)/ ||
				 l ~ /^EXT4-fs error/)
				class = "fs-error"
			if (class == "")
				continue
			printf "verdict: %s: %s:%d: %s\n", class, file, i, l
			if (class ~ /^known-/)
				known++
			else
				fail++
		}
		printf "verdict: %s: %d report(s), %d known UML report(s)\n", file, fail, known
		exit fail > 0
	}
	function near(i, n, re,    j) {
		for (j = i; j <= i + n && j <= NR; j++)
			if (line[j] ~ re)
				return 1
		return 0
	}' "$f" || rc=1
done
exit $rc
