# TAP results for the harness's own unit tests (test-*.sh), which source
# this file: tap_result prints one result and counts it, tap_end prints
# the closing "NAME: N passed, N failed" line and returns non-zero if any
# result failed.
# shellcheck shell=sh

tap_pass=0
tap_fail=0

# tap_result NAME WHY [DETAILS]: passed if WHY is empty; otherwise
# "not ok - NAME: WHY" followed by DETAILS as TAP comment lines.
tap_result() {
	if [ -z "$2" ]; then
		echo "ok - $1"
		tap_pass=$((tap_pass + 1))
	else
		echo "not ok - $1: $2"
		[ $# -lt 3 ] || printf '%s\n' "$3" | sed 's/^/#   /'
		tap_fail=$((tap_fail + 1))
	fi
}

tap_end() { # tap_end NAME
	echo "$1: $tap_pass passed, $tap_fail failed"
	[ "$tap_fail" -eq 0 ]
}
