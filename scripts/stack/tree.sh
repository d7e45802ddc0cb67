#!/bin/sh
# Create build/linux: a git tree whose root commit (tag "base") is the
# pristine Debian linux-source-6.12, with patches/series applied on top by
# git am, plus build/baseline, a worktree of "base" for the baseline kernel.
# An existing tree is left alone (it may hold a developer's work).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

need_pkgs linux-source-6.12 git xz-utils
mkdir -p "$BUILD"

if [ ! -d "$KTREE/.git" ]; then
	t0=$(date +%s)
	log "unpacking $SRC_TARBALL into $KTREE"
	rm -rf "$KTREE.tmp"
	mkdir -p "$KTREE.tmp"
	tar -C "$KTREE.tmp" --strip-components=1 -xJf "$SRC_TARBALL"
	cd "$KTREE.tmp"
	git init -q -b master .
	git config user.name "${GIT_AUTHOR_NAME:-aiolock}"
	git config user.email "${GIT_AUTHOR_EMAIL:-aiolock@localhost}"
	git config gc.auto 0
	git add -A -f .
	v=$(make -s kernelversion)
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" \
	GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git commit -q -m "Linux $v (Debian linux-source-6.12)"
	git tag base
	cd "$TOP"
	mv "$KTREE.tmp" "$KTREE"
	log "base tree for $v ready in $(($(date +%s) - t0))s"
	if [ -s "$TOP/patches/series" ]; then
		log "applying patches/series"
		grep -v -e '^#' -e '^$' "$TOP/patches/series" | while read -r p; do
			git -C "$KTREE" am -q --keep-cr "$TOP/patches/$p" ||
				die "patch $p does not apply; see 'git -C $KTREE am --show-current-patch'"
		done
		log "applied $(git -C "$KTREE" rev-list --count base..HEAD) patches"
	fi
fi

if [ ! -d "$BTREE" ]; then
	git -C "$KTREE" worktree add -q --detach "$BTREE" base
	log "baseline worktree at $BTREE"
fi
printf '%s\n' "$(make -s -C "$BTREE" kernelversion)" >"$BUILD/sublevel"
# Object directories live inside the trees (see build.sh); keep them out of
# git status.  info/exclude is shared by the baseline worktree.
grep -qx '/_out-\*' "$KTREE/.git/info/exclude" 2>/dev/null ||
	echo '/_out-*' >>"$KTREE/.git/info/exclude"
