#!/bin/sh
# checkpatch --strict on every patch of the series.  Prints TAP lines and
# fails if any patch has an error, warning or check.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/scripts/common.sh"

[ -x "$BTREE/scripts/checkpatch.pl" ] || sh "$TOP/scripts/tree.sh"
bad=0
list=$(grep -v -e '^#' -e '^$' "$TOP/patches/series" || true)
for p in $list; do
	if out=$(cd "$BTREE" && ./scripts/checkpatch.pl --strict --quiet \
		--no-tree "$TOP/patches/$p" 2>&1); then
		echo "ok - lint/$p"
	else
		echo "not ok - lint/$p: checkpatch --strict"
		printf '%s\n' "$out" | sed 's/^/#   /'
		bad=1
	fi
done
exit $bad
