#!/bin/sh
# Create build/linux: a git tree whose root commit (tag "base") is the
# pristine Debian linux-source-6.12, the fixes of platform/series on top
# (tag "platform"), then patches/series, applied by git am; plus
# build/baseline, a worktree of "platform" for the baseline kernel.
#
# platform/ holds fixes to the test platform (User Mode Linux) that both
# test kernels need and the series is not about: they are applied to the
# baseline and the patched kernel alike and never exported to patches/.
#
# An existing tree is left alone (it may hold a developer's work), except
# that a change of platform/ is carried into it: the platform commits are
# made anew on "base" and the commits above them rebased onto the new ones
# (refused while the tree has uncommitted changes).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

need_pkgs linux-source-6.12 git xz-utils
mkdir -p "$BUILD"

# Identity of platform/: the checksum of its series and patches.
platform_id() {
	{
		cat "$TOP/platform/series" 2>/dev/null || true
		for _p in $(series_files "$TOP/platform"); do cat "$_p"; done
	} | sha1sum | cut -c1-12
}

# git am the patches of DIR/series onto the checkout in TREE.
apply_series() { # apply_series TREE DIR
	for _p in $(series_files "$2"); do
		git -C "$1" am -q --keep-cr --committer-date-is-author-date "$_p" ||
			die "$_p does not apply; see 'git -C $1 am --show-current-patch'"
	done
}

pid=$(platform_id)

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
	apply_series "$KTREE.tmp" "$TOP/platform"
	git -C "$KTREE.tmp" tag -a -m "platform $pid" platform
	mv "$KTREE.tmp" "$KTREE"
	log "base tree for $v with $(git -C "$KTREE" rev-list --count base..platform) platform fixes ready in $(($(date +%s) - t0))s"
	if [ -s "$TOP/patches/series" ]; then
		log "applying patches/series"
		apply_series "$KTREE" "$TOP/patches"
		log "applied $(git -C "$KTREE" rev-list --count platform..HEAD) patches"
	fi
fi

# Carry a change of platform/ (or a tree from before platform/ existed)
# into the tree.
have=$(git -C "$KTREE" tag -l --format='%(contents:subject)' platform)
if [ "$have" != "platform $pid" ]; then
	[ -z "$(git -C "$KTREE" status --porcelain --untracked-files=no)" ] ||
		die "platform/ changed and $KTREE has uncommitted changes: commit them, then make tree"
	if git -C "$KTREE" rev-parse -q --verify platform >/dev/null; then
		old=platform
	else
		old=base
	fi
	log "platform/ changed: making the platform commits anew"
	wt=$BUILD/platform.tmp
	git -C "$KTREE" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
	git -C "$KTREE" worktree prune
	git -C "$KTREE" worktree add -q --detach "$wt" base
	apply_series "$wt" "$TOP/platform"
	new=$(git -C "$wt" rev-parse HEAD)
	git -C "$KTREE" worktree remove --force "$wt"
	if [ "$(git -C "$KTREE" rev-parse "$old^{commit}")" != "$new" ]; then
		git -C "$KTREE" rebase -q --onto "$new" "$old" ||
			die "the series does not rebase onto the new platform fixes: resolve in $KTREE (git rebase --continue or --abort), then make tree"
	fi
	git -C "$KTREE" tag -f -a -m "platform $pid" platform "$new" >/dev/null
	log "rebased $(git -C "$KTREE" rev-list --count platform..HEAD) commits onto $(git -C "$KTREE" rev-list --count base..platform) platform fixes"
fi

if [ ! -d "$BTREE" ]; then
	git -C "$KTREE" worktree add -q --detach "$BTREE" platform
	log "baseline worktree at $BTREE"
elif [ "$(git -C "$BTREE" rev-parse HEAD)" != "$(git -C "$KTREE" rev-parse 'platform^{commit}')" ]; then
	git -C "$BTREE" checkout -q --detach platform
	log "baseline worktree moved to platform"
fi
printf '%s\n' "$(make -s -C "$BTREE" kernelversion)" >"$BUILD/sublevel"
# Object directories live inside the trees (see build.sh); keep them out of
# git status.  info/exclude is shared by the baseline worktree.
grep -qx '/_out-\*' "$KTREE/.git/info/exclude" 2>/dev/null ||
	echo '/_out-*' >>"$KTREE/.git/info/exclude"
