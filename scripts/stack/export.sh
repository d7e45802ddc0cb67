#!/bin/sh
# Write the commits base..HEAD of build/linux back to patches/ as
# git format-patch files and rewrite patches/series.  The output depends
# only on the commits' content and metadata: no commit hashes, no git
# version trailer.  patches/0000-cover-letter.patch is kept as it is.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

[ -e "$KTREE/.git" ] || die "no tree at $KTREE (make tree)"
if [ -n "$(git -C "$KTREE" status --porcelain --untracked-files=no)" ]; then
	die "uncommitted changes in $KTREE: commit them first"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$KTREE" format-patch -q -o "$tmp" --zero-commit --no-signature \
	--no-thread --subject-prefix=PATCH --start-number 1 base..HEAD
find "$TOP/patches" -name '[0-9][0-9][0-9][0-9]-*.patch' \
	! -name '0000-*' -delete
{
	echo "# Apply with git am, in this order, on top of Linux 6.12.y."
	for p in "$tmp"/*.patch; do
		[ -e "$p" ] || continue
		cp "$p" "$TOP/patches/"
		basename "$p"
	done
} >"$TOP/patches/series"
log "exported $(git -C "$KTREE" rev-list --count base..HEAD) patches to patches/"
git -C "$TOP" status --short -- patches
