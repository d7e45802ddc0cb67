#!/bin/sh
# Table of the hold_time measurements of a baseline and a patched run.
#   scripts/verdict/hold-time-table.sh [-c] BASELINE_OUTPUT PATCHED_OUTPUT
# The arguments are tests/run.sh outputs (make check keeps them as
# build/check/*/KERNEL-tests/output); hold_time prints one line per case,
#   # hold: FS OP IO OP_MS [CLASS]
# and, for a case it had to run again, one per attempt: the last one counts.
# CLASS, on the filesystems the series does not convert: W (the operation
# waited for the I/O), N (it did not), X (the I/O had completed before it
# started), A (ambiguous).
# Prints a markdown table, one row per filesystem and operation, one column
# per kind of I/O in flight, each cell "6.12 / series" in milliseconds.
# Exits 1 if an input has no measurement, or the two inputs do not have
# the same cases.
#
# -c: also compare the kernels on the filesystems the series does not
# convert (all but xfs*, ext4* and ext2), where hold_time measures without
# expecting anything: a case whose CLASS differs between the kernels, is
# missing or is not one of W, N, X, A is listed on standard error, and the
# exit status is 1; A on both kernels is not compared (counted on standard
# error).  A "# hold:" line of another shape is an error.
set -eu

usage='usage: hold-time-table.sh [-c] BASELINE_OUTPUT PATCHED_OUTPUT'
cmp=0
if [ "${1:-}" = -c ]; then
	cmp=1
	shift
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

awk -v cmp="$cmp" '
function note(k, only,  a) {
	if (++nmiss > 5)
		return
	split(k, a, SUBSEP)
	miss = miss " " a[1] "/" a[2] "-" a[3] " (" only ")"
}
$1 == "#" && $2 == "hold:" && NF != 6 && NF != 7 {
	print "hold-time-table: malformed line: " $0 > "/dev/stderr"
	bad = 1
	next
}
$1 == "#" && $2 == "hold:" {
	k = $3 SUBSEP $4 SUBSEP $5
	if (FNR == NR) { b[k] = $6; bc[k] = $7 } else { p[k] = $6; pc[k] = $7 }
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
	if (cmp) {
		for (k in b) {
			split(k, a, SUBSEP)
			if (a[1] ~ /^(xfs.*|ext4.*|ext2)$/)
				continue
			if (bc[k] == "A" && pc[k] == "A") {
				namb++
				continue
			}
			if (bc[k] !~ /^[WNXA]$/ || bc[k] != pc[k]) {
				ndiff++
				diff = diff " " a[1] "/" a[2] "-" a[3] " (" b[k] " " bc[k] \
					" / " p[k] " " pc[k] ")"
			}
		}
		if (namb)
			print "hold-time-table: " namb " case(s) of an unconverted " \
				"filesystem not compared: ambiguous (A) on both kernels" > "/dev/stderr"
		if (ndiff) {
			print "hold-time-table: " ndiff " case(s) of an unconverted filesystem " \
				"behaved differently on the two kernels, or has no class (W waited, " \
				"N did not, X the I/O completed first, A ambiguous):" diff > "/dev/stderr"
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
