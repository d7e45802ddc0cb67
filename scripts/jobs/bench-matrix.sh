#!/bin/sh
# Print the README's table of the benchmark matrix from bench/matrix.sh,
# the table bench/bench-guest.sh runs, so that the two cannot drift:
#
#   bench-matrix.sh             the table (Markdown)
#   bench-matrix.sh -c FILE     exit 1 if FILE does not hold it verbatim
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/bench/matrix.sh"

table() {
	all=$(bench_devs full)
	echo "| job | what | where (\`make bench\`) |"
	echo "|---|---|---|"
	for j in $bench_jobs; do
		where=
		for d in $all; do
			# Any filesystem: where a device is used at all.
			if want full "$j" "$d" xfs || want full "$j" "$d" ext4; then
				where="${where:+$where, }$d"
			fi
		done
		[ "$where" != "$(echo "$all" | sed 's/ /, /g')" ] || where="every device"
		info=$(bench_job "$j")
		# shellcheck disable=SC2016 # literal backquotes (Markdown)
		printf '| %s `%s` | %s | %s |\n' "$(echo "$j" | tr j J)" \
			"${info%%|*}" "${info#*|}" "$where"
	done
}

case ${1:-} in
'') table ;;
-c)
	[ -f "${2:-}" ] || { echo "usage: bench-matrix.sh [-c FILE]" >&2; exit 2; }
	table >"${TMPDIR:-/tmp}/bench-matrix.$$"
	# Every line of the table, in order, as a block of FILE.
	if awk -v want="${TMPDIR:-/tmp}/bench-matrix.$$" '
		BEGIN { while ((getline l < want) > 0) t[++n] = l }
		{ f[++m] = $0 }
		END {
			for (i = 1; i + n - 1 <= m; i++) {
				for (j = 1; j <= n && f[i + j - 1] == t[j]; j++)
					;
				if (j > n)
					exit 0
			}
			exit 1
		}' "$2"; then
		rm -f "${TMPDIR:-/tmp}/bench-matrix.$$"
	else
		echo "bench-matrix: $2 does not hold the benchmark table; it should read:"
		cat "${TMPDIR:-/tmp}/bench-matrix.$$"
		rm -f "${TMPDIR:-/tmp}/bench-matrix.$$"
		exit 1
	fi
	;;
*) echo "usage: bench-matrix.sh [-c FILE]" >&2; exit 2 ;;
esac
