#!/bin/sh
# checkpatch --strict on every patch of the series and of platform/.
# Prints a plan (one case per patch, plus one for the separation of the
# two), TAP lines, and fails if any patch has an error, warning or check.
#
# checkpatch's FILE_PATH_CHANGES warning ("added, moved or deleted
# file(s), does MAINTAINERS need updating?") is a heuristic that fires for
# every new file.  It is replaced by the real question: each file a patch
# adds must be covered by a MAINTAINERS section other than THE REST
# (scripts/get_maintainer.pl on the patched tree).
#
# The series must apply to the pristine kernel, without the platform
# fixes the test kernels carry below it (scripts/stack/tree.sh): no file
# may be touched by both.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

[ -x "$BTREE/scripts/checkpatch.pl" ] || sh "$TOP/scripts/stack/tree.sh"
bad=0
series() { # series DIR: the patches of DIR/series, relative to $TOP
	series_files "$TOP/$1" | sed "s|^$TOP/||"
}
touched() { # touched PATCH...: the files the patches change, sorted
	for _p in "$@"; do
		sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' "$TOP/$_p"
	done | sort -u
}
list=$(series patches; series platform)
echo "1..$(($(printf '%s\n' "$list" | grep -c . || true) + 1))"
for p in $list; do
	why=
	if ! out=$(cd "$BTREE" && ./scripts/checkpatch.pl --strict --quiet \
		--no-tree --ignore FILE_PATH_CHANGES "$TOP/$p" 2>&1); then
		why="checkpatch --strict"
	fi
	new=$(sed -n '/^diff --git /{N;s|^diff --git a/[^ ]* b/\([^\n]*\)\nnew file mode.*|\1|p}' "$TOP/$p")
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
		echo "ok - lint/${p#patches/}"
	else
		echo "not ok - lint/${p#patches/}: $why"
		printf '%s\n' "$out" | sed 's/^/#   /'
		bad=1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2046 # one word a patch
touched $(series patches) >"$tmp/series"
# shellcheck disable=SC2046
touched $(series platform) >"$tmp/platform"
both=$(comm -12 "$tmp/series" "$tmp/platform" | grep -v '^/dev/null$' || true)
if [ -z "$both" ]; then
	echo "ok - lint/series-apart-from-platform"
else
	echo "not ok - lint/series-apart-from-platform: files changed by both"
	printf '%s\n' "$both" | sed 's/^/#   /'
	bad=1
fi
exit $bad
