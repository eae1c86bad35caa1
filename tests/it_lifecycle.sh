#!/usr/bin/env bash
# Lifecycle: SIGTERM and SIGINT unmount cleanly (exit 0, mount gone);
# starting on a busy or a stale mount point fails with a clear message and
# the command that fixes it; no reader waits forever: a reader blocked on a
# stopped daemon, and one in the middle of a huge maps file, both die at
# kill -9, and the daemon serves on afterwards.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start
log_of=$MNT.log

# relaunch: a daemon on $MNT again, SIGINT not ignored (a background job
# of a script inherits SIGINT ignored, and libfuse leaves it so).
relaunch() {
	python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$PROCSIM" -f "$@" "$MNT" >>"$log_of" 2>&1 &
	DAEMON_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		timeout 5 test -e "$MNT/procsim/ctl" && return 0
		sleep 0.1
	done
	die "relaunch: no $MNT/procsim/ctl"
}

# stop_with SIG: the daemon must unmount and exit 0.
stop_with() {
	local sig=$1 status=0 i
	kill -"$sig" "$DAEMON_PID"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$DAEMON_PID" || status=$?
	DAEMON_PID=
	check_eq "exit status after SIG$sig" 0 "$status"
	is_mounted "$MNT" && fail "still mounted after SIG$sig"
	return 0
}

# start_fails WHAT REGEX: a second daemon on $MNT must exit non-zero at
# once with a message matching REGEX.
start_fails() {
	local what=$1 re=$2 rc=0 out
	out=$(timeout 20 "$PROCSIM" -f "$MNT" 2>&1) || rc=$?
	((rc != 0)) || fail "$what: procsim started"
	check_match "$what: message" "$re" "$out"
	log "$what: $out"
}

# --- signals ---
stop_with TERM
relaunch
stop_with INT

# --- busy: a live procsim already serves this mount point ---
# (warm=off: the readers below must reach the daemon, not a page cache
# the warmer filled.)
relaunch -o populate=50,warm=off
start_fails "busy mount" "already a procsim mount.*|fusermount3 -u $MNT"
check_match "busy mount: fix" "fusermount3 -u $MNT" "$(timeout 20 "$PROCSIM" -f "$MNT" 2>&1 || true)"

# --- no reader waits forever ---
# 1. A reader blocked on a stopped daemon dies at kill -9.
kill -STOP "$DAEMON_PID"
timeout -s KILL 60 cat "$MNT/1/status" >/dev/null 2>&1 &
reader=$!
sleep 1
kill -0 "$reader" 2>/dev/null || fail "the reader finished against a stopped daemon"
kill -KILL "$reader" 2>/dev/null || true
for ((i = 0; i < 50; i++)); do
	[[ $(ps -o stat= -p "$reader" 2>/dev/null) == *Z* || -z $(ps -o stat= -p "$reader" 2>/dev/null) ]] && break
	sleep 0.1
done
ps -o stat= -p "$reader" 2>/dev/null | grep -qv Z && fail "reader $reader still alive 5 s after kill -9"
wait "$reader" 2>/dev/null || true
kill -CONT "$DAEMON_PID"
check_match "status read after SIGCONT" "^Name:	" "$(timeout 10 head -n 1 "$MNT/1/status")"

# 2. A reader in the middle of a huge maps file (20000 VMAs) dies at kill -9.
read -r pid <<<"$(ctl_ok fork 1)"
timeout 60 python3 - "$MNT/procsim/ctl" "$pid" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for i in range(20000):   # alternate modes, so neighbours never merge
    os.write(fd, b"mmap %s 4K %s\n" % (sys.argv[2].encode(), b"r--" if i % 2 else b"rw-"))
    assert os.read(fd, 100).startswith(b"0x")
PY
size=$(wc -c <"$MNT/$pid/maps")
((size > 500000)) || fail "maps of $pid is only $size bytes"
python3 -c 'import sys, time
f = open(sys.argv[1], "rb", buffering=0)
while f.read(4096):
    time.sleep(0.01)' "$MNT/$pid/maps" &
reader=$!
sleep 1
kill -KILL "$reader"
status=0
timeout 10 tail --pid="$reader" -f /dev/null || fail "slow maps reader not dead 10 s after kill -9"
wait "$reader" || status=$?
check_eq "slow reader's wait status" 137 "$status"
check_eq "maps still complete" "$size" "$(wc -c <"$MNT/$pid/maps")"

# --- stale: the daemon is SIGKILLed, the mount stays behind ---
# On a mount point of its own, outside /tmp/procsim-*: lib.sh's
# reap_stale_mounts (in any test running in parallel) clears those.
stop_with TERM
STALE=$(mktemp -d /tmp/psim-stale.XXXXXX)
at_exit 'fusermount3 -u -z "$STALE" 2>/dev/null; rmdir "$STALE" 2>/dev/null'
"$PROCSIM" -f "$STALE" >>"$log_of" 2>&1 &
stale_pid=$!
for ((i = 0; i < 100; i++)); do
	timeout 5 test -e "$STALE/procsim/ctl" && break
	sleep 0.1
done
kill -KILL "$stale_pid"
wait "$stale_pid" 2>/dev/null || true
is_mounted "$STALE" || fail "no stale mount left after kill -9"
err=$(timeout 5 cat "$STALE/uptime" 2>&1 >/dev/null || true)
# ENOTCONN; ECONNABORTED under transport=uring (the kernel's ring teardown
# at the daemon's death aborts the connection).
check_match "reading a stale mount" \
	"Transport endpoint is not connected|Software caused connection abort" "$err"
MNT_SAVED=$MNT MNT=$STALE
start_fails "stale mount" "stale FUSE mount"
check_match "stale mount: fix" "fusermount3 -u $STALE" "$(timeout 20 "$PROCSIM" -f "$STALE" 2>&1 || true)"
check_match "procsim-run on a stale mount" "daemon is gone.*fusermount3 -u" \
	"$(timeout 20 "$PROCSIM_RUN" -m "$STALE" ps 2>&1 || true)"
# The advice works: after it, a daemon starts there again.
fusermount3 -u "$STALE"
relaunch
check_eq "ctl after restart" "ok" "$(ctl reset)"
stop_with TERM
MNT=$MNT_SAVED
finish
