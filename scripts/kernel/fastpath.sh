#!/bin/sh
# Compare functions of two object files instruction by instruction.
#
#   fastpath.sh [-n PREFIX] BASE.o PATCHED.o FUNCTION...
#
# Prints a TAP plan and one result per function, "ok - PREFIX/FUNCTION"
# when its disassembly is the same in both objects, else "not ok" and the
# difference.  Addresses and instruction bytes are left out and branch
# targets are shown relative to their symbol, so that a function compares
# equal wherever it lies in its section; relocations (which symbol a call
# or a load refers to) are compared.  A function that is missing from
# either object fails.  Exits 1 if any function differs, 2 on usage
# errors.
set -eu
usage='usage: fastpath.sh [-n PREFIX] BASE.o PATCHED.o FUNCTION...'
prefix=fastpath
if [ "${1:-}" = -n ]; then
	prefix=${2:?$usage}
	shift 2
fi
[ $# -ge 3 ] || { echo "$usage" >&2; exit 2; }
base=$1
new=$2
shift 2
for o in "$base" "$new"; do
	[ -f "$o" ] || { echo "fastpath.sh: no object $o" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The disassembly of one function: its label and the lines up to the next
# blank one, without the padding after its last instruction (which
# depends on where the next function starts); empty if the object has no
# such function.  The whole object is disassembled: with
# --disassemble=FUNCTION, objdump 2.40 prints the relocations of
# everything before the function at its first instruction.
disas() { # disas OBJECT FUNCTION
	objdump -d -r --no-show-raw-insn --no-addresses "$1" |
		sed -n "/^<$2>:\$/,/^\$/p" |
		awk '/^$/ { next }
		{ l[++n] = $0 }
		END {
			while (n > 1 && l[n] ~ /^\t(data16 )*(cs )?nop[wl]?( |$)|^\txchg +%ax,%ax$/)
				n--
			for (i = 1; i <= n; i++)
				print l[i]
		}'
}

echo "1..$#"
bad=0
for f in "$@"; do
	disas "$base" "$f" >"$tmp/base"
	disas "$new" "$f" >"$tmp/new"
	if [ ! -s "$tmp/base" ] || [ ! -s "$tmp/new" ]; then
		missing=
		[ -s "$tmp/base" ] || missing="$base"
		[ -s "$tmp/new" ] || missing="${missing:+$missing and }$new"
		echo "not ok - $prefix/$f: not in $missing"
		bad=1
	elif cmp -s "$tmp/base" "$tmp/new"; then
		echo "ok - $prefix/$f ($(grep -c "^	[^	]" "$tmp/new") instructions)"
	else
		echo "not ok - $prefix/$f: differs"
		diff -u "$tmp/base" "$tmp/new" | sed -n '3,40s/^/#   /p'
		bad=1
	fi
done
exit $bad
