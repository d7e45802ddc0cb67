#!/bin/sh
# Build the debug kernel after each patch of the series in turn, in a
# worktree of its own (on the platform fixes, like every test kernel), so
# that the series stays bisectable.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/scripts/common.sh"

[ -d "$KTREE/.git" ] || sh "$TOP/scripts/stack/tree.sh"
wt=$BUILD/bisect
[ -d "$wt" ] || git -C "$KTREE" worktree add -q --detach "$wt" platform
n=0
for c in $(git -C "$KTREE" rev-list --reverse platform..HEAD); do
	n=$((n + 1))
	git -C "$wt" checkout -q --detach "$c"
	log "patch $n: $(git -C "$wt" log -1 --format=%s)"
	KTREE=$wt PARTIAL_SERIES=1 sh "$TOP/scripts/kernel/build.sh" patched debug ||
		die "the series does not build at patch $n ($c)"
done
log "all $n patches build"
