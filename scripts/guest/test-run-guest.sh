#!/bin/sh
# Unit test of run-guest.sh's exit-status contract, with stand-in kernels
# (shell scripts started the way the User Mode Linux runtime starts a
# kernel): the command's status is returned; a guest that exits without
# one is reported as dead (125); a guest that does not finish in time is
# killed, with the helper processes it started, and reported as timed
# out (124), within seconds of the timeout; disk images given with -d reach
# the kernel in order, and a missing one is refused (1).  Prints a plan,
# TAP lines and "N passed, N failed".
set -eu
command -v pgrep >/dev/null || { echo "pgrep not found (procps)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/verdict/tap.sh
. "$here/../verdict/tap.sh"
tmp=$(mktemp -d)
# A marker no other process on the machine has in its command line.
mark=$$$(date +%s)
# shellcheck disable=SC2317 # called through trap
cleanup() {
	pkill -KILL -f "sleep 7$mark" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# Stand-in kernels.  They get the kernel command line as arguments, among
# them AIOLOCK_RUN=DIR, the directory where the guest writes its status.
cat >"$tmp/status3" <<'EOF'
#!/bin/sh
for a in "$@"; do
	case $a in AIOLOCK_RUN=*) echo 3 >"${a#AIOLOCK_RUN=}/status" ;; esac
done
EOF
cat >"$tmp/dies" <<'EOF'
#!/bin/sh
exit 0
EOF
# A guest that hangs, with a helper process like UML's.
cat >"$tmp/hangs" <<EOF
#!/bin/sh
sleep 7$mark &
exec sleep 7$mark
EOF
# A guest that checks its disks: the -d images as ubd1= and ubd2=, in the
# order given, or status 9.
cat >"$tmp/disks" <<EOF
#!/bin/sh
got=\$(printf '%s\\n' "\$@" | grep '^ubd' | tr '\\n' ' ')
st=9
[ "\$got" = "ubd1=$tmp/a.img ubd2=$tmp/b.img " ] && st=0
for a in "\$@"; do
	case \$a in AIOLOCK_RUN=*) echo \$st >"\${a#AIOLOCK_RUN=}/status" ;; esac
done
EOF
chmod +x "$tmp/status3" "$tmp/dies" "$tmp/hangs" "$tmp/disks"
touch "$tmp/a.img" "$tmp/b.img"

check() { # check NAME KERNEL TIMEOUT EXPECTED_STATUS MAX_SECONDS [DISK...]
	_d=
	_i=0
	for _a in "$@"; do
		_i=$((_i + 1))
		[ "$_i" -le 5 ] || _d="$_d -d $_a"
	done
	t0=$(date +%s)
	# shellcheck disable=SC2086 # options
	sh "$here/run-guest.sh" -k "$tmp/$2" -m 64M -t "$3" $_d -- true \
		>"$tmp/$1.out" 2>&1 &
	rg=$!
	# Bounded wait: a run-guest.sh that does not return is a failure.
	while kill -0 "$rg" 2>/dev/null &&
		[ $(($(date +%s) - t0)) -lt $(($5 + 30)) ]; do
		sleep 1
	done
	if kill -0 "$rg" 2>/dev/null; then
		kill -s KILL "$rg" 2>/dev/null || true
		wait "$rg" 2>/dev/null || true
		why="run-guest.sh did not return within $(($5 + 30)) s"
	else
		wait "$rg" && rc=0 || rc=$?
		dt=$(($(date +%s) - t0))
		why=
		[ "$rc" -eq "$4" ] || why="exit status $rc, not $4"
		[ "$dt" -le "$5" ] || why="${why:+$why; }took $dt s, more than $5 s"
	fi
	if [ -z "$why" ] && pgrep -f "sleep 7$mark" >/dev/null; then
		why="guest processes left running"
	fi
	tap_result "run-guest/$1" "$why" "$(cat "$tmp/$1.out")"
}

echo "1..5"
check command-status status3 60 3 30
check guest-died dies 60 125 30
check timeout hangs 2 124 10
check disks disks 60 0 30 "$tmp/a.img" "$tmp/b.img"
# A disk image that does not exist is refused before anything boots.
check no-such-disk disks 60 1 30 "$tmp/a.img" "$tmp/none.img"
tap_end run-guest
