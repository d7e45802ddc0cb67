#!/bin/sh
# Run inside the guest by check.sh: run CMD, then record whether lockdep is
# still enabled (a report turns it off, and then it checks nothing), and
# return CMD's status.
set -u
rc=0
"$@" || rc=$?
if [ -r /proc/lockdep_stats ]; then
	grep debug_locks /proc/lockdep_stats >"$AIOLOCK_OUT/debug_locks"
fi
exit $rc
