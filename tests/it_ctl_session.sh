#!/usr/bin/env bash
# The ctl session under load: replies nobody reads stop at CTL_REPLY_MAX
# (a write then fails with ENOBUFS and runs nothing); with two writers at
# once each one's next read of its own process is fresh (per-writer
# freshness of the cache invalidations); a save running when SIGTERM
# comes is answered "ok", not ENOTCONN.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=$(mktemp -d /tmp/procsim-ctlsession.XXXXXX)
procsim_start -o populate=20,pid_max=100000
at_exit 'rm -rf "$dir"'

# ---- the reply buffer's bound ----
before=$(nprocs)
out=$(timeout -k 5 60 python3 - "$MNT/procsim/ctl" "$DAEMON_PID" <<'EOF'
import errno, os, sys
ctl, daemon = sys.argv[1], sys.argv[2]
def rss_mb():
    for line in open(f"/proc/{daemon}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
fd = os.open(ctl, os.O_RDWR)
batch = b"help\n" * 64
sent = 0
err = None
for _ in range(2000):       # 2000 x 64 replies: ~77 MB unbounded
    try:
        os.write(fd, batch)
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e.errno))
        break
    sent += len(batch)
print("first-error", err)
print("rss-mb", rss_mb())
try:
    os.write(fd, b"fork 1\n")
    print("fork-when-full ran")
except OSError as e:
    print("fork-when-full", errno.errorcode.get(e.errno))
got = 0
while True:
    r = os.read(fd, 1 << 20)
    if not r:
        break
    got += len(r)
print("replies-mb", got >> 20)
os.write(fd, b"fork 1\n")
print("fork-after-read", os.read(fd, 100).decode().strip().isdigit())
EOF
) || fail "the reply-bound client failed ($?)"
check_match "a full reply buffer" "^first-error ENOBUFS$" "$out"
check_match "the command written when full" "^fork-when-full ENOBUFS$" "$out"
check_match "replies held" "^replies-mb (1[6-9]|2[0-9])$" "$out"
check_match "writes after reading" "^fork-after-read True$" "$out"
rss=$(sed -n 's/^rss-mb //p' <<<"$out")
((${rss:-999} < 200)) || fail "daemon RSS with a full reply buffer: ${rss:-?} MB"
check_eq "processes: one fork ran, the refused one did not" $((before + 1)) "$(nprocs)"

# ---- two writers: each sees its own change at once ----
# Writer 0 makes long publishes (30 threads gone at each exec); writer 1
# ends each exec at close(), whose FLUSH the kernel does not serialise with
# writer 0's write()s (it does serialise write()s to one file).  Whichever
# publish took writer 1's change, its close() must return only after that
# change was invalidated.
read -ra kids <<<"$(ctl_ok fork 1 2)"
out=$(timeout -k 5 120 python3 - "$MNT" "${kids[@]}" <<'EOF'
import os, sys, threading
mnt, pids = sys.argv[1], sys.argv[2:]
stale = [0, 0]
done = threading.Event()
def check(i, pid, name):
    with open(f"{mnt}/{pid}/comm") as f:
        if f.read() != name + "\n":
            stale[i] += 1
def noisy():
    pid = pids[0]
    fd = os.open(f"{mnt}/procsim/ctl", os.O_RDWR)
    n = 0
    while not done.is_set():
        name = f"a{n}"
        os.write(fd, (f"clone {pid}\n" * 30 + f"exec {pid} {name}\n").encode())
        while not os.read(fd, 1 << 16).endswith(b"ok\n"):
            pass
        check(0, pid, name)
        n += 1
    os.close(fd)
def checked():
    # Its line runs at close() (FLUSH), which the kernel does not
    # serialise with the other writer's write() as it serialises writes.
    pid = pids[1]
    for n in range(1500):
        name = f"b{n}"
        fd = os.open(f"{mnt}/procsim/ctl", os.O_RDWR)
        os.write(fd, f"exec {pid} {name}".encode())
        os.close(fd)
        check(1, pid, name)
    done.set()
ts = [threading.Thread(target=f) for f in (noisy, checked)]
for t in ts: t.start()
for t in ts: t.join()
print("stale", stale[0] + stale[1])
EOF
) || fail "the two-writer client failed ($?)"
check_eq "stale reads of a writer's own process" "stale 0" "$out"

# ---- a save in progress at SIGTERM gets its answer ----
ctl_ok populate 20000 >/dev/null
"$PROCSIMCTL" -m "$MNT" save "$dir/big.snap" >"$dir/reply" 2>&1 &
saver=$!
for ((i = 0; i < 1500; i++)); do	# slow under the sanitizers
	compgen -G "$dir/big.snap.tmp.*" >/dev/null && break
	sleep 0.02
done
((i < 1500)) || fail "the save wrote no temporary file in 30 s"
kill -TERM "$DAEMON_PID"
rc=0
timeout 20 tail --pid="$saver" -f /dev/null || fail "the save did not end"
wait "$saver" || rc=$?
check_eq "save at SIGTERM: status" 0 "$rc"
check_eq "save at SIGTERM: reply" ok "$(cat "$dir/reply")"
check_eq "the snapshot's magic" PROCSIMS "$(head -c 8 "$dir/big.snap" 2>/dev/null)"
timeout 20 tail --pid="$DAEMON_PID" -f /dev/null || fail "the daemon did not stop"
st=0
wait "$DAEMON_PID" || st=$?
check_eq "the daemon's status after SIGTERM" 0 "$st"
DAEMON_PID=
finish
