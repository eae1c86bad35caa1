#!/usr/bin/env bash
# Commands split across several write() calls on one ctl fd, through a real
# mount: a line runs when its '\n' arrives, the reply is read back from the
# same fd, a bad partial line fails at the write() that makes it bad (and
# its message is readable), and a failed split command changes nothing.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start -o populate=20
before=$(nprocs)

out=$(timeout 30 python3 - "$MNT/procsim/ctl" <<'PY'
import errno, os, sys

fd = os.open(sys.argv[1], os.O_RDWR)

def write(b):
    """Return 0 or the errno of one write()."""
    try:
        n = os.write(fd, b)
        assert n == len(b), (n, b)
        return 0
    except OSError as e:
        return e.errno

def reply():
    return os.read(fd, 65536).decode()

# fork in three pieces: nothing runs before the '\n'.
for piece in (b"fo", b"rk 1 ", b"3"):
    assert write(piece) == 0, piece
assert os.read(fd, 4096) == b"", "a reply before the line ended"
assert write(b"\n") == 0
pids = reply().split()
assert len(pids) == 3 and all(p.isdigit() for p in pids), pids
print("forked", *pids)

# Two commands, the split falling inside the second.
assert write(b"exit %s 7\nex" % pids[0].encode()) == 0
assert write(b"it %s\n" % pids[1].encode()) == 0
assert reply() == "ok\nok\n"

# A pid that does not exist, split: ESRCH at the write with the '\n'.
assert write(b"exit 9") == 0
assert write(b"9999") == 0
assert write(b"\n") == errno.ESRCH
r = reply()
assert r.startswith("ESRCH: exit: ") and r.endswith("\n") and r.count("\n") == 1, r

# A binary byte in the second piece: EINVAL at once, the line dropped.
assert write(b"fork 1") == 0
assert write(b" \x01") == errno.EINVAL
r = reply()
assert r.startswith("EINVAL: ") and r.count("\n") == 1, r
# The rest of the rejected line is dropped up to its '\n', even a tail
# that would be a valid command; the next line runs.
assert write(b"fork 1 5") == 0
assert write(b"\nfork 1\n") == 0
pids.append(reply().strip())
assert pids[-1].isdigit(), pids

# An overlong line, 3000 bytes at a time: EINVAL once it passes the limit.
errs = [write(b"x" * 3000) for _ in range(2)]
assert errs == [0, errno.EINVAL], errs
r = reply()
assert r.startswith("EINVAL: ") and r.count("\n") == 1, r
# Its tail, however long, is dropped too: "fork 1" here must not run.
assert write(b"x" * 3000 + b"fork 1") == 0
assert write(b"\n") == 0
assert os.read(fd, 4096) == b"", "the tail of an overlong line ran"

# A last line with no '\n' runs at close(), and its error reaches close().
assert write(b"exit 99999") == 0
try:
    os.close(fd)
    raise SystemExit("close() of a failing last line succeeded")
except OSError as e:
    assert e.errno == errno.ESRCH, e
print("last", pids[-1])
PY
) || fail "split-write client failed"
log "$out"
# 3 forked, 2 exited (zombies still listed), 1 more forked: +4 in ps -e.
check_eq "ps -e count" $((before + 4)) "$(nprocs)"
read -r _ p1 p2 p3 <<<"$(grep ^forked <<<"$out")"
check_eq "stat of $p1" "Z" "$(run ps -o stat= -p "$p1" | tr -d ' ')"
check_eq "stat of $p2" "Z" "$(run ps -o stat= -p "$p2" | tr -d ' ')"
check_eq "ppid of $p3" 1 "$(run ps -o ppid= -p "$p3" | tr -d ' ')"
finish
