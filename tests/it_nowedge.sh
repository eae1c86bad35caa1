#!/usr/bin/env bash
# The daemon never wedges its readers (docs/reliability.md, "No I/O under
# the world lock").  Each bad command runs in the background while `cat
# uptime` and `ps -e` must finish within a few seconds: save and load of
# paths in the daemon's own mount (by name and through a symlink), a FIFO
# as the load file and as FILE.tmp, a 2 GiB sparse and a 5 GiB sparse load
# file, a fork that must fail.  Then a daemon starting next to a stopped
# one (whose control mount a stat would sleep on) comes up, mounting on a
# live daemon's control directory is refused, mounting over a non-empty
# directory warns, and a killed daemon's control mount is swept.
# Everything runs in the background with a bounded wait, so a regression
# fails the test instead of hanging it; a wedged mount is aborted at once
# so its sleepers die.
# NOWEDGE_ONLY=REGEX runs only the ctl cases whose name matches (to show
# one of them failing against an older daemon, PROCSIM_BUILD=...).
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Not /tmp/procsim-*: other tests' stale-mount sweeps stat those.
dir=$(mktemp -d /tmp/nowedge.XXXXXX)
mkdir "$dir/tmp"
WEDGED=0
ENDED_RC=0
# The two daemons of the startup-sweep case: mount points and pids.
MNTS=()
PIDS=()

# Abort every FUSE connection mounted under @1 (root only): sleepers on a
# wedged daemon die with ENOTCONN.
abort_mounts_under() {
	local _id _p dev _r mnt _rest minor
	[[ -e /sys/fs/fuse/connections/ ]] && ! mountpoint -q /sys/fs/fuse/connections &&
		mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
	while read -r _id _p dev _r mnt _rest; do
		[[ $mnt == "$1"* && $_rest == *" - fuse"* ]] || continue
		minor=${dev#*:}
		[[ -w /sys/fs/fuse/connections/$minor/abort ]] &&
			echo 1 >"/sys/fs/fuse/connections/$minor/abort"
		timeout 5 umount -l "$mnt" 2>/dev/null || true
	done </proc/self/mountinfo
}

# A wedge found: abort the daemons' connections at once (root), so that
# nothing else (other tests' stale-mount sweeps) queues behind them.
abort_wedged() {
	[[ $EUID == 0 ]] || return 0
	abort_mounts_under "$MNT"
	[[ -z $CTLDIR ]] || abort_mounts_under "$CTLDIR"
	abort_mounts_under "$dir"
}

# Stop the startup-sweep case's daemons (mounted under $dir).
stop_pair() {
	local i
	for i in "${!PIDS[@]}"; do
		kill -CONT "${PIDS[i]}" 2>/dev/null
		timeout 5 fusermount3 -u "${MNTS[i]}" 2>/dev/null ||
			timeout 5 fusermount3 -u -z "${MNTS[i]}" 2>/dev/null
		if ends_within "daemon ${PIDS[i]}'s exit" 10 "${PIDS[i]}"; then
			check_eq "daemon on ${MNTS[i]}: status" 0 "$ENDED_RC"
		fi
	done
	PIDS=()
}

# At exit, before lib.sh stops the daemon: free what a wedge left stuck.
cleanup() {
	local f
	set +e
	# A daemon stuck opening a FIFO (the defect) is freed by peers: a
	# reader that drains it and a writer that closes it.
	local -a peers=()
	for f in "$dir"/*; do
		if ((!WEDGED)) || [[ ! -p $f ]]; then continue; fi
		timeout 3 cat "$f" >/dev/null 2>&1 &
		peers+=($!)
		timeout 3 bash -c "[[ -p '$f' ]] && : >'$f'" 2>/dev/null &
		peers+=($!)
	done
	((${#peers[@]} == 0)) || wait "${peers[@]}"
	[[ -n $DAEMON_PID ]] && kill -CONT "$DAEMON_PID" 2>/dev/null
	((WEDGED)) && abort_wedged
	stop_pair
	rm -f "$dir"/m?/hidden
	# A daemon that just left may still be removing its control directory.
	for ((f = 0; f < 50; f++)); do
		rm -rf --one-file-system "$dir" 2>/dev/null && break
		sleep 0.1
	done
}

CTLDIR=
at_exit cleanup
procsim_start -o populate=50
CTLDIR=$(readlink "$MNT/procsim")

# ends_within WHAT SECONDS PID: wait for background job PID at most
# SECONDS; 0 if it ended (its status in ENDED_RC), else fail and kill it.
ends_within() {
	local what=$1 secs=$2 pid=$3 i
	for ((i = 0; i < secs * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			ENDED_RC=0
			wait "$pid" || ENDED_RC=$?
			return 0
		fi
		sleep 0.1
	done
	fail "$what: still running after $secs s"
	WEDGED=1
	kill -KILL "$pid" 2>/dev/null || true
	abort_wedged
	return 1
}

# readers_finish WHAT: cat uptime and ps -e finish in time.
readers_finish() {
	timeout -k 1 5 cat "$MNT/uptime" >/dev/null 2>&1 &
	ends_within "$1: cat $MNT/uptime" 5 $! || return 0
	((ENDED_RC == 0)) || fail "$1: cat uptime failed ($ENDED_RC)"
	timeout -k 1 10 "$PROCSIM_RUN" -m "$MNT" -- ps -e >/dev/null 2>&1 &
	ends_within "$1: ps -e" 10 $! || return 0
	((ENDED_RC == 0)) || fail "$1: ps -e failed ($ENDED_RC)"
}

# wanted CASE: run it (not after a wedge: the daemon is gone for good).
wanted() {
	((!WEDGED)) && [[ $1 =~ ${NOWEDGE_ONLY:-.} ]]
}

# no_wedge WHAT REGEX COMMAND...: while the ctl command runs (in the
# background), readers finish; then it has ended with a line matching REGEX.
no_wedge() {
	local what=$1 re=$2 out=$dir/reply
	shift 2
	wanted "$what" || return 0
	timeout -k 1 15 "$PROCSIMCTL" -m "$MNT" "$@" >"$out" 2>&1 &
	local cmd=$!
	sleep 0.3
	readers_finish "$what"
	if ends_within "$what: procsimctl $*" 15 "$cmd"; then
		check_match "$what: reply" "$re" "$(cat "$out")"
	fi
}

before=$(nprocs)

# Paths in the daemon's own mount: a request to itself.
no_wedge "save into the mount" "EXDEV: save: $MNT/x.snap: in this daemon's own mount" \
	save "$MNT/x.snap"
no_wedge "load a global file" "EXDEV: load: $MNT/uptime: in this daemon's own mount" \
	load "$MNT/uptime"
no_wedge "load a process file" "EXDEV: load: $MNT/1/maps: " load "$MNT/1/maps"
no_wedge "save under procsim/" "EXDEV: save: " save "$MNT/procsim/x.snap"
ln -s "$MNT" "$dir/mnt"
no_wedge "save through a symlink" "EXDEV: save: $dir/mnt/x.snap: in this daemon's own mount" \
	save "$dir/mnt/x.snap"
no_wedge "load through a symlink" "EXDEV: load: " load "$dir/mnt/1/status"

# FIFOs: opening one blocks until a peer comes.
mkfifo "$dir/in.fifo"
no_wedge "load a FIFO" "EINVAL: load: $dir/in.fifo: a FIFO, not a regular file" \
	load "$dir/in.fifo"
mkfifo "$dir/w.snap.tmp"
no_wedge "save with a FIFO at FILE.tmp" '^ok$' save "$dir/w.snap"
if wanted "save with a FIFO at FILE.tmp"; then
	[[ -p $dir/w.snap.tmp ]] || fail "the FIFO at w.snap.tmp was replaced"
	[[ -f $dir/w.snap && ! -L $dir/w.snap ]] || fail "save wrote no regular w.snap"
	check_eq "temporary files left" "" "$(cd "$dir" && ls -d w.snap.tmp.* 2>/dev/null)"
fi

# Big files: refused by head or size, never read whole.
truncate -s 2G "$dir/sparse2g.snap"
no_wedge "load a 2 GiB sparse file" "EINVAL: load: $dir/sparse2g.snap: not a procsim snapshot" \
	load "$dir/sparse2g.snap"
{ printf 'PROCSIMS\001\000\000\000'; } >"$dir/huge.snap"
truncate -s 5G "$dir/huge.snap"
no_wedge "load a 5 GiB file" "EFBIG: load: $dir/huge.snap: .*over the 4294967296-byte limit" \
	load "$dir/huge.snap"
no_wedge "a fork that must fail" "EAGAIN: fork: no free pid" fork 1 1000000
((WEDGED)) || check_eq "processes after the refused commands" "$before" "$(nprocs)"

# A daemon starts next to a stopped one: its startup sweep of $TMPDIR must
# not stat the stopped daemon's control mount.  Both use $dir/tmp, so the
# sweep sees no other test's daemons.
second_daemon() {
	local up=0 i
	mkdir "$dir/m1" "$dir/m2"
	touch "$dir/m2/hidden"
	MNTS=("$dir/m1" "$dir/m2")
	TMPDIR=$dir/tmp "$PROCSIM" -f "$dir/m1" >"$dir/first.log" 2>&1 &
	PIDS=($!)
	# Up when its tree answers (it mounts ctl first); nothing here looks
	# into its control mount, so no attribute of it is cached.
	for ((i = 0; i < 100; i++)); do
		timeout 5 test -L "$dir/m1/procsim" && break
		sleep 0.1
	done
	compgen -G "$dir/tmp/procsim-ctl.*" >/dev/null ||
		fail "the first daemon made no control directory in $dir/tmp"
	kill -STOP "${PIDS[0]}"
	TMPDIR=$dir/tmp "$PROCSIM" -f "$dir/m2" >"$dir/second.log" 2>&1 &
	PIDS+=($!)
	for ((i = 0; i < 50 && !up; i++)); do
		timeout -k 1 2 test -e "$dir/m2/procsim/ctl" 2>/dev/null &
		ends_within "looking for the second daemon's ctl" 5 $! || break
		((ENDED_RC == 0)) && up=1
		sleep 0.2
	done
	((up)) || fail "a daemon next to a stopped one did not come up"
	kill -CONT "${PIDS[0]}"
	check_match "mounting over a non-empty directory" \
		"warning: $dir/m2 is not empty" "$(cat "$dir/second.log")"
	stop_pair
	[[ -e $dir/m2/hidden ]] || fail "the file under the second mount is gone"
}
wanted "a daemon next to a stopped one" && second_daemon

# A killed daemon's control mount is swept by the next start, by its pid.
dead_sweep() {
	local i dead
	MNTS=("$dir/m1" "$dir/m2")
	TMPDIR=$dir/tmp "$PROCSIM" -f "$dir/m1" >"$dir/first.log" 2>&1 &
	dead=$!
	for ((i = 0; i < 100; i++)); do
		timeout 5 test -L "$dir/m1/procsim" && break
		sleep 0.1
	done
	kill -KILL "$dead"
	wait "$dead" 2>/dev/null || true
	timeout 5 fusermount3 -u -z "$dir/m1" 2>/dev/null || true
	compgen -G "$dir/tmp/procsim-ctl.$dead.*" >/dev/null ||
		fail "the killed daemon left no control directory to sweep"
	TMPDIR=$dir/tmp "$PROCSIM" -f "$dir/m2" >"$dir/second.log" 2>&1 &
	PIDS=($!)
	MNTS=("$dir/m2")
	for ((i = 0; i < 100; i++)); do
		timeout 5 test -e "$dir/m2/procsim/ctl" && break
		sleep 0.1
	done
	check_match "the sweep of a killed daemon's control mount" \
		"removed a dead daemon's control mount $dir/tmp/procsim-ctl.$dead." \
		"$(cat "$dir/second.log")"
	! compgen -G "$dir/tmp/procsim-ctl.$dead.*" >/dev/null ||
		fail "the killed daemon's control directory is still there"
	stop_pair
}
wanted "a dead daemon's control mount" && dead_sweep

# Mounting on a live daemon's control directory hides its ctl: refused.
if wanted "mount on a control directory"; then
	timeout -k 1 5 "$PROCSIM" -f "$MNT/procsim" >"$dir/third.log" 2>&1 &
	if ends_within "procsim on $MNT/procsim" 8 $!; then
		check_eq "procsim on a control directory: status" 1 "$ENDED_RC"
		check_match "procsim on a control directory: message" \
			"is another procsim daemon's control directory" "$(cat "$dir/third.log")"
	fi
	check_eq "ctl after that" "ok" "$(ctl reset)"
fi
finish
