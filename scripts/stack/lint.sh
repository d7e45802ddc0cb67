#!/bin/sh
# checkpatch --strict on every patch of the series.  Prints a plan (one
# case per patch), TAP lines, and fails if any patch has an error, warning
# or check.
#
# checkpatch's FILE_PATH_CHANGES warning ("added, moved or deleted
# file(s), does MAINTAINERS need updating?") is a heuristic that fires for
# every new file.  It is replaced by the real question: each file a patch
# adds must be covered by a MAINTAINERS section other than THE REST
# (scripts/get_maintainer.pl on the patched tree).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

[ -x "$BTREE/scripts/checkpatch.pl" ] || sh "$TOP/scripts/stack/tree.sh"
bad=0
list=$(grep -v -e '^#' -e '^$' "$TOP/patches/series" || true)
echo "1..$(printf '%s\n' "$list" | grep -c . || true)"
for p in $list; do
	why=
	if ! out=$(cd "$BTREE" && ./scripts/checkpatch.pl --strict --quiet \
		--no-tree --ignore FILE_PATH_CHANGES "$TOP/patches/$p" 2>&1); then
		why="checkpatch --strict"
	fi
	new=$(sed -n '/^diff --git /{N;s|^diff --git a/[^ ]* b/\([^\n]*\)\nnew file mode.*|\1|p}' "$TOP/patches/$p")
	for f in $new; do
		sec=$(cd "$KTREE" || exit 1
			./scripts/get_maintainer.pl --no-git --no-git-fallback \
				--sections -f "$f" 2>/dev/null |
				grep -v -e '^[A-Z]:' -e '^$' || true)
		if [ ! -e "$KTREE/$f" ]; then
			why="${why:+$why, }$f is not in $KTREE (make tree)"
		elif [ -z "$sec" ] || [ "$sec" = "THE REST" ]; then
			why="${why:+$why, }$f has no MAINTAINERS entry"
			out="$out
$f: not covered by MAINTAINERS ($sec)"
		fi
	done
	if [ -z "$why" ]; then
		echo "ok - lint/$p"
	else
		echo "not ok - lint/$p: $why"
		printf '%s\n' "$out" | sed 's/^/#   /'
		bad=1
	fi
done
exit $bad
