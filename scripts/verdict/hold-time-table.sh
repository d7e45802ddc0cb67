#!/bin/sh
# Table of the hold_time measurements of a baseline and a patched run.
#   scripts/verdict/hold-time-table.sh BASELINE_OUTPUT PATCHED_OUTPUT
# The arguments are tests/run.sh outputs (make check keeps them as
# build/check/*/KERNEL-tests/output); hold_time prints one line per case,
#   # hold: FS OP IO OP_MS
# and, for a case it had to run again, one per attempt: the last one counts.
# Prints a markdown table, one row per filesystem and operation, one column
# per kind of I/O in flight, each cell "6.12 / series" in milliseconds.
# Exits 1 if an input has no measurement, or the two inputs do not have
# the same cases.
set -eu

usage='usage: hold-time-table.sh BASELINE_OUTPUT PATCHED_OUTPUT'
base=${1:?$usage}
patched=${2:?$usage}
for f in "$base" "$patched"; do
	[ -r "$f" ] || { echo "hold-time-table: cannot read $f" >&2; exit 1; }
	grep -q '^# hold: ' "$f" || {
		echo "hold-time-table: no hold_time measurement in $f" >&2
		exit 1
	}
done

awk '
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
}' "$base" "$patched"
