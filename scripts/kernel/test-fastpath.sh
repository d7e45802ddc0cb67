#!/bin/sh
# Unit test of fastpath.sh on objects compiled from small C files: the
# same function passes wherever it lies in its section and whatever
# padding follows it; a changed
# instruction, a call to another function and a missing function fail;
# the exit status says so.  Prints a plan, TAP lines and "N passed,
# N failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/../verdict/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v cc >/dev/null || { echo "cc not found (build-essential)" >&2; exit 1; }

# One object per variant of a function fast(); slow() is what its slow
# path calls.
obj() { # obj NAME C-SOURCE [CC-OPTION...]
	_n=$1
	printf '%s\n' "int g; void slow(int *p); void slow2(int *p);" "$2" >"$tmp/$_n.c"
	shift 2
	cc -O2 "$@" -c -o "$tmp/$_n.o" "$tmp/$_n.c"
}
obj base 'int fast(int *p) { if (*p) slow(p); return g + 1; }'
obj moved 'int pad(int x) { return x * 3 + g; }
int fast(int *p) { if (*p) slow(p); return g + 1; }'
obj padded 'int fast(int *p) { if (*p) slow(p); return g + 1; }
int after(int x) { return x * 5 + g; }' -falign-functions=64
obj insn 'int fast(int *p) { if (*p) slow(p); return g + 2; }'
obj call 'int fast(int *p) { if (*p) slow2(p); return g + 1; }'
obj none 'int other(int *p) { return *p; }'

# case NAME WANT-STATUS WANT-RESULT OBJECT: fastpath.sh on base.o and
# OBJECT for fast(), with the status and result line expected.
case_() {
	out=$(sh "$here/fastpath.sh" -n t "$tmp/base.o" "$tmp/$4.o" fast 2>&1) &&
		rc=0 || rc=$?
	why=
	[ "$rc" -eq "$2" ] || why="exit status $rc, expected $2"
	printf '%s\n' "$out" | grep -q "^$3 - t/fast" ||
		why="${why:+$why; }no \"$3 - t/fast\" line"
	tap_result "fastpath/$1" "$why" "$out"
}

echo "1..7"
case_ same 0 ok base
case_ moved 0 ok moved
case_ padded 0 ok padded
case_ instruction 1 "not ok" insn
case_ call 1 "not ok" call
case_ missing 1 "not ok" none
sh "$here/fastpath.sh" "$tmp/base.o" fast >/dev/null 2>&1 && rc=0 || rc=$?
tap_result fastpath/usage "$([ "$rc" -eq 2 ] || echo "exit status $rc, expected 2")"
tap_end fastpath-unit
