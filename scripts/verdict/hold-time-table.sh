#!/bin/sh
# Table of the hold_time measurements of a baseline and a patched run.
#   scripts/verdict/hold-time-table.sh [-c DELAY_MS] BASELINE_OUTPUT PATCHED_OUTPUT
# The arguments are tests/run.sh outputs (make check keeps them as
# build/check/*/KERNEL-tests/output); hold_time prints one line per case,
#   # hold: FS OP IO OP_MS
# and, for a case it had to run again, one per attempt: the last one counts.
# Prints a markdown table, one row per filesystem and operation, one column
# per kind of I/O in flight, each cell "6.12 / series" in milliseconds.
# Exits 1 if an input has no measurement, or the two inputs do not have
# the same cases.
#
# -c DELAY_MS: also compare the kernels on the filesystems the series does
# not convert (all but xfs*, ext4 and ext2), where hold_time measures
# without expecting anything: an operation that took DELAY_MS/2 or more
# (waited for the I/O) on one kernel and less (did not) on the other is
# listed on standard error, and the exit status is 1.
set -eu

usage='usage: hold-time-table.sh [-c DELAY_MS] BASELINE_OUTPUT PATCHED_OUTPUT'
cmp_ms=
if [ "${1:-}" = -c ]; then
	cmp_ms=${2:?$usage}
	shift 2
fi
base=${1:?$usage}
patched=${2:?$usage}
for f in "$base" "$patched"; do
	[ -r "$f" ] || { echo "hold-time-table: cannot read $f" >&2; exit 1; }
	grep -q '^# hold: ' "$f" || {
		echo "hold-time-table: no hold_time measurement in $f" >&2
		exit 1
	}
done

awk -v cmp_ms="$cmp_ms" '
function note(k, only,  a) {
	if (++nmiss > 5)
		return
	split(k, a, SUBSEP)
	miss = miss " " a[1] "/" a[2] "-" a[3] " (" only ")"
}
$1 == "#" && $2 == "hold:" && NF == 6 {
	k = $3 SUBSEP $4 SUBSEP $5
	if (FNR == NR) b[k] = $6; else p[k] = $6
	if (!((($3 SUBSEP $4) in row))) { row[$3 SUBSEP $4] = 1; rows[++nr] = $3 SUBSEP $4 }
	if (!($5 in col)) { col[$5] = 1; cols[++nc] = $5 }
}
END {
	for (k in b) if (!(k in p)) note(k, "baseline")
	for (k in p) if (!(k in b)) note(k, "patched")
	if (nmiss) {
		print "hold-time-table: " nmiss " case(s) measured on one kernel only:" \
			miss (nmiss > 5 ? " ..." : "") > "/dev/stderr"
		exit 1
	}
	if (cmp_ms != "") {
		for (k in b) {
			split(k, a, SUBSEP)
			if (a[1] ~ /^(xfs.*|ext4|ext2)$/)
				continue
			if ((b[k] * 2 >= cmp_ms) != (p[k] * 2 >= cmp_ms)) {
				ndiff++
				diff = diff " " a[1] "/" a[2] "-" a[3] " (" b[k] " / " p[k] " ms)"
			}
		}
		if (ndiff) {
			print "hold-time-table: " ndiff " case(s) of an unconverted filesystem " \
				"waited for the I/O on one kernel only (device " cmp_ms " ms):" \
				diff > "/dev/stderr"
			bad = 1
		}
	}
	printf "| fs | operation |"
	for (j = 1; j <= nc; j++) printf " %s |", cols[j]
	printf "\n|---|---|"
	for (j = 1; j <= nc; j++) printf "---|"
	printf "\n"
	for (i = 1; i <= nr; i++) {
		split(rows[i], a, SUBSEP)
		printf "| %s | %s |", a[1], a[2]
		for (j = 1; j <= nc; j++) {
			k = rows[i] SUBSEP cols[j]
			if (k in b) printf " %s / %s |", b[k], p[k]; else printf " - |"
		}
		printf "\n"
	}
	exit bad
}' "$base" "$patched"
