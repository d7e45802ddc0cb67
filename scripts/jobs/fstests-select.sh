# The selection of fstests tests, sourced by fstests.sh and by its unit
# test (scripts/verdict/test-fstests.sh).  Needs $fst (an fstests tree,
# for tests/DIR/group.list) and $FSTESTS_DEFAULT_LIST (fstests/default.list:
# "group: G", "test: T" and "exclude: T" lines); reads FSTESTS_TESTS and
# FSTESTS_GROUPS.
# shellcheck shell=sh disable=SC2154 # $fst: set by the sourcing script

# The tests of a configuration: FSTESTS_TESTS, or the tests of generic/
# and the filesystem's directory that are in "auto" and in one of the
# groups, by fstests' own group lists.  The default selection leaves out
# its "exclude:" tests.
tests_of() { # tests_of FSTYP
	if [ -n "${FSTESTS_TESTS:-}${FSTESTS_GROUPS:-}" ]; then
		tests_selected "$1"
		return
	fi
	tests_selected "$1" | awk '
	NR == FNR {
		if (sub(/^exclude: */, ""))
			ex[$0] = 1
		next
	}
	!($0 in ex)' "$FSTESTS_DEFAULT_LIST" -
}
tests_selected() { # tests_selected FSTYP
	if [ -n "${FSTESTS_TESTS:-}" ]; then
		# shellcheck disable=SC2086 # one word per test
		printf '%s\n' $FSTESTS_TESTS | grep -E "^(generic|$1)/" || true
		return
	fi
	if [ -n "${FSTESTS_GROUPS:-}" ]; then
		_groups=$FSTESTS_GROUPS _quick=0
	else
		_groups=$(sed -n 's/^group: *//p' "$FSTESTS_DEFAULT_LIST" | tr '\n' ' ')
		_quick=1
	fi
	for _d in generic "$1"; do
		awk -v d="$_d" -v groups=" $_groups " -v quick="$_quick" '
		/^#/ { next }
		{
			auto = 0; want = 0; q = 0
			for (i = 2; i <= NF; i++) {
				if ($i == "auto")
					auto = 1
				if ($i == "quick")
					q = 1
				if (index(groups, " " $i " "))
					want = 1
			}
			if (auto && want && (q || !quick))
				print d "/" $1
		}' "$fst/tests/$_d/group.list"
	done
	if [ -z "${FSTESTS_GROUPS:-}" ]; then
		sed -n 's/^test: *//p' "$FSTESTS_DEFAULT_LIST" |
			grep -E "^(generic|$1)/" || true
	fi
}
