#!/bin/sh
# Write the commits platform..HEAD of build/linux (the series, without
# the platform fixes below it: scripts/stack/tree.sh) back to patches/ as
# git format-patch files and rewrite patches/series.  The output depends
# only on the commits' content and metadata: no commit hashes, no git
# version trailer.  patches/0000-cover-letter.patch is kept as it is.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

[ -e "$KTREE/.git" ] || die "no tree at $KTREE (make tree)"
git -C "$KTREE" rev-parse -q --verify platform >/dev/null ||
	die "no tag platform in $KTREE: make tree"
if [ -n "$(git -C "$KTREE" status --porcelain --untracked-files=no)" ]; then
	die "uncommitted changes in $KTREE: commit them first"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$KTREE" format-patch -q -o "$tmp" --zero-commit --no-signature \
	--no-thread --subject-prefix=PATCH --start-number 1 platform..HEAD
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
log "exported $(git -C "$KTREE" rev-list --count platform..HEAD) patches to patches/"
git -C "$TOP" status --short -- patches
