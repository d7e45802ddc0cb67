#!/bin/sh
# Scan a guest console log for kernel reports that fail a run.
#
#   verdict.sh LOG...
#
# Prints one line per report found and exits 1 if any counts as a failure:
# lockdep reports (circular dependency, inconsistent lock state, lock held
# when returning to user space, bad unlock balance, ...), suspicious RCU
# usage, KASAN, WARN (WARNING: CPU: ...), BUG/Oops/panic, soft and hard
# lockups, hung tasks, RCU stalls, lock debugging turned off by a taint
# ("Disabling lock debugging due to kernel taint": a taint that comes with
# no report of its own must fail the run too, as nothing is checked after
# it) and filesystem errors (XFS internal
# errors, corruption, log I/O errors and shutdowns; ext4 errors, JBD2
# aborts).  Only kernel lines are considered: those with a printk
# timestamp, also when the timestamp follows a partial line of other
# console output.  The guest command's own output does not go to the
# console (scripts/guest/guest-init.sh), so a test printing "WARNING:" cannot
# cause or hide anything.
#
# One report is known and counted separately instead of failing: UML 6.12
# prints "suspicious RCU usage" at lib/maple_tree.c:835 when the last
# reference to an aio context is dropped from a workqueue (UML's
# flush_tlb_mm() walks the VMA tree without RCU).  It happens on the
# pristine kernel too.  Only that exact signature is excused: the site
# line, and flush_tlb_mm and free_ioctx in the report's own stack trace
# (the report ends at the next report, the next "====" banner or the
# first line after the trace), and only once per log (RCU_LOCKDEP_WARN
# prints once per boot).
set -eu
[ $# -gt 0 ] || { echo "usage: verdict.sh LOG..." >&2; exit 2; }

rc=0
for f in "$@"; do
	awk -v file="$f" '
	# The kernel text of a console line: what follows its printk
	# timestamp, wherever that is; "" for other lines.
	function ktext(l,    at) {
		at = match(l, /\[ *[0-9]+\.[0-9]+\] /)
		if (!at)
			return ""
		return substr(l, RSTART + RLENGTH)
	}
	function kline(l) {
		return match(l, /\[ *[0-9]+\.[0-9]+\] /) > 0
	}
	function classify(l) {
		if (l ~ /^WARNING: suspicious RCU usage/)
			return "rcu"
		if (l ~ /^WARNING: CPU: [0-9]+ PID: [0-9]+ at /)
			return "warn"
		# A taint turns lock debugging off for the rest of the boot:
		# whatever follows is checked by nothing.
		if (l ~ /^Disabling lock debugging due to kernel taint/)
			return "lockdep-off"
		if (l ~ /^WARNING: / || l ~ /^DEBUG_LOCKS_WARN_ON/ ||
		    l ~ /^INFO: trying to register non-static key/)
			return "lockdep"
		if (l ~ /^BUG: KASAN: / || l ~ /^BUG: KFENCE: /)
			return "kasan"
		if (l ~ /^INFO: task .* blocked for more than [0-9]+ seconds/)
			return "hung-task"
		if (l ~ /^rcu: INFO: .*detected stall/ ||
		    l ~ /self-detected stall on CPU/)
			return "rcu-stall"
		if (l ~ /^watchdog: BUG: soft lockup/ ||
		    l ~ /^watchdog: Watchdog detected hard LOCKUP/)
			return "lockup"
		if (l ~ /^BUG: / || l ~ /^kernel BUG at / ||
		    l ~ /^Oops/ || l ~ /^general protection fault/ ||
		    l ~ /^Kernel panic/ || l ~ /^Kernel mode fault at/)
			return "bug"
		if (l ~ /^XFS.*(Internal error|Corruption|Assertion failed)/ ||
		    l ~ /^XFS.*(Metadata corruption detected|Log I\/O Error|Shutting down filesystem|[Ff]ilesystem has been shut down)/ ||
		    l ~ /^EXT4-fs error/ ||
		    l ~ /^EXT4-fs .*Remounting filesystem read-only/ ||
		    l ~ /^Aborting journal on device / ||
		    l ~ /^JBD2: .*([Ee]rror|[Aa]bort)/)
			return "fs-error"
		return ""
	}
	# Last line of the report that starts at line i.
	function report_end(i,    j, t, trace) {
		trace = 0
		for (j = i + 1; j <= NR && j <= i + 150; j++) {
			if (!kline(line[j]))
				continue
			t = ktext(line[j])
			if (t ~ /^=+$/ || classify(t) != "")
				return j - 1
			if (t ~ /^Call Trace:/)
				trace = 1
			else if (trace && t !~ /^ /)
				return j - 1
		}
		return j - 1
	}
	function within(from, to, re,    j) {
		for (j = from; j <= to; j++)
			if (kline(line[j]) && ktext(line[j]) ~ re)
				return 1
		return 0
	}
	{ line[NR] = $0 }
	END {
		fail = 0; known = 0
		for (i = 1; i <= NR; i++) {
			if (!kline(line[i]))
				continue
			l = ktext(line[i])
			class = classify(l)
			if (class == "")
				continue
			note = ""
			if (class == "rcu") {
				e = report_end(i)
				if (within(i, (i + 6 < e ? i + 6 : e), "^lib/maple_tree\\.c:835 ") &&
				    within(i, e, "flush_tlb_mm") &&
				    within(i, e, "free_ioctx")) {
					if (known == 0)
						class = "known-uml-rcu"
					else
						note = " (the known UML report again: excused once per boot)"
				}
			}
			printf "verdict: %s: %s:%d: %s%s\n", class, file, i, l, note
			if (class ~ /^known-/)
				known++
			else
				fail++
		}
		printf "verdict: %s: %d report(s), %d known UML report(s)\n", file, fail, known
		exit fail > 0
	}' "$f" || rc=1
done
exit $rc
