#!/usr/bin/env bash
# /proc/procsim/events streams a procsimctl session as it happens: a cat
# started first sees fork, exec, setuid, setgid and exit lines in order,
# blocks for more, dies at once when killed; select() wakes on new events;
# a reader the ring overtook gets an overflow line with the count; the
# daemon stops cleanly with a reader still blocked.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start -o populate=20
check_match "config names the mechanism" '^watchers table$' "$(cat "$MNT/procsim/config")"

out=$(mktemp)
timeout -k 5 60 cat "$MNT/procsim/events" >"$out" &
cat_pid=$!
sleep 0.5
read -r pid <<<"$(ctl_ok fork 1)"
ctl_ok exec "$pid" ls -l >/dev/null
ctl_ok setuid "$pid" 1000 >/dev/null
ctl_ok setgid "$pid" 100 >/dev/null
ctl_ok exit "$pid" 2 >/dev/null
for ((i = 0; i < 50; i++)); do
	grep -q ' exit ' "$out" && break
	sleep 0.1
done
got=$(cut -d' ' -f2- "$out")
want="fork ppid=1 ptgid=1 pid=$pid tgid=$pid
exec pid=$pid tgid=$pid comm=ls
uid pid=$pid tgid=$pid old=0 new=1000
gid pid=$pid tgid=$pid old=0 new=100
exit pid=$pid tgid=$pid code=2"
check_eq "events of the session" "$want" "$got"
seqs=$(cut -d' ' -f1 "$out" | tr '\n' ' ')
read -r s0 _ <<<"$seqs"
check_eq "sequence numbers" "$s0 $((s0 + 1)) $((s0 + 2)) $((s0 + 3)) $((s0 + 4)) " "$seqs"
kill -0 "$cat_pid" 2>/dev/null || fail "cat did not block waiting for more"
ctl_ok wait 1 "$pid" >/dev/null
sleep 0.3
check_eq "no event for wait" 5 "$(grep -c . "$out")"
# A killed reader never hangs (its parked read is interrupted).
kill -KILL "$cat_pid"
for ((i = 0; i < 30; i++)); do
	kill -0 "$cat_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$cat_pid" 2>/dev/null && fail "cat still alive 3 s after SIGKILL"
wait "$cat_pid" 2>/dev/null || true
check_match "audit log" "op=exit pid=$pid ppid=1 uid=1000 gid=100 .*code=2 comm=\"ls\"" \
	"$(cat "$MNT/procsim/audit")"

# select(): not readable with nothing new, readable after a fork; the
# overflow line counts exactly what a slow reader lost.
py=$(timeout -k 5 60 python3 - "$MNT" "$PROCSIMCTL" <<'PY'
import os, select, subprocess, sys
mnt, ctl = sys.argv[1], sys.argv[2]
fd = os.open(mnt + "/procsim/events", os.O_RDONLY)
r, _, _ = select.select([fd], [], [], 0.5)
print("idle", "readable" if r else "quiet")
subprocess.run([ctl, "-m", mnt, "fork", "1"], check=True, stdout=subprocess.DEVNULL)
r, _, _ = select.select([fd], [], [], 5)
print("after-fork", "readable" if r else "quiet")
print("line", os.read(fd, 4096).decode().split(" ")[1])
subprocess.run([ctl, "-m", mnt, "fork", "1", "5000"], check=True, stdout=subprocess.DEVNULL)
print("first", os.read(fd, 65536).decode().splitlines()[0])
os.close(fd)
PY
) || fail "python select test exited $?"
check_match "select with no events" '^idle quiet$' "$py"
check_match "select after a fork" '^after-fork readable$' "$py"
check_match "the event read" '^line fork$' "$py"
check_match "overflow line (5000 events, ring of 4096)" '^first overflow lost=904$' "$py"

# The daemon stops cleanly with a reader blocked: the reader gets EOF.
timeout -k 5 60 cat "$MNT/procsim/events" >/dev/null &
cat_pid=$!
sleep 0.5
kill -TERM "$DAEMON_PID"
for ((i = 0; i < 50; i++)); do
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$DAEMON_PID" 2>/dev/null; then
	fail "daemon still running 5 s after SIGTERM with a blocked reader"
else
	rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	check_eq "daemon's exit status after SIGTERM with a blocked reader" 0 "$rc"
	is_mounted "$MNT" && fail "still mounted after the daemon stopped"
fi
rc=0
wait "$cat_pid" || rc=$?
check_eq "blocked cat's exit status at daemon stop" 0 "$rc"
rm -f "$out"
finish
