#!/usr/bin/env python3
"""Property test of the trapped-call path (tools/procsim-syscalls.c).

Run inside procsim-run, where /proc is the simulation:

    syscalls_prop.py SEED COUNT [UID]

With UID, the simulation is read as root first (a FUSE mount without
allow_other is its owner's alone), then the process drops to UID, so the
calls meet the EPERM and EACCES rules.

Random kill, tgkill, tkill, getpriority, setpriority and pidfd_open calls,
with arguments drawn from the simulation's pids, groups and threads, from
missing pids and from bad values, are made for real.  A model of Linux's
rules, read from the simulation's /proc, predicts each result (the value,
or the errno); then random raw 64-bit arguments must give a result or one
of the syscall's documented errnos, and the supervisor must still answer.
Signals are limited to 0, SIGCONT and SIGWINCH, so the world's shape stays
put and the model stays simple.  Exit 1 with the first mismatches.
"""
import ctypes
import errno
import os
import random
import sys

NR = {"kill": 62, "tkill": 200, "tgkill": 234, "getpriority": 140,
      "setpriority": 141, "pidfd_open": 434, "sched_getaffinity": 204,
      "sched_getscheduler": 145, "ioprio_get": 252, "prlimit64": 302}
# Raw random arguments only for these: the setters could change the real
# tool itself (SCHED_FIFO on the test's own python, say).
RAW = ["kill", "tkill", "tgkill", "getpriority", "setpriority", "pidfd_open",
       "sched_getaffinity", "sched_getscheduler", "ioprio_get"]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def sys_call(name, *args):
    """The raw syscall: its value, or -errno."""
    r = libc.syscall(ctypes.c_long(NR[name]),
                     *[ctypes.c_ulong(a & (2**64 - 1)) for a in args])
    return -ctypes.get_errno() if r == -1 else r


def status_field(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split()[1:]
    return None


class World:
    """The simulation as /proc shows it: tasks, uids, nice, groups."""

    def __init__(self):
        self.tgid, self.uids, self.nice, self.pgrp = {}, {}, {}, {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            pid = int(d)
            try:
                with open(f"/proc/{pid}/stat") as f:
                    st = f.read().rsplit(")", 1)[1].split()
                self.pgrp[pid] = int(st[2])
                for t in os.listdir(f"/proc/{pid}/task"):
                    tid = int(t)
                    base = f"/proc/{pid}/task/{tid}"
                    self.tgid[tid] = pid
                    self.uids[tid] = [int(u) for u in status_field(base + "/status", "Uid")]
                    with open(base + "/stat") as f:
                        self.nice[tid] = int(f.read().rsplit(")", 1)[1].split()[16])
            except (FileNotFoundError, ProcessLookupError):
                continue
        me = {1, os.getpid()}	# real in the namespace: the kernel's
        self.pids = sorted(p for p in self.tgid if p not in me and self.tgid[p] not in me)
        self.groups = sorted({g for p, g in self.pgrp.items() if g > 1 and p not in me})


def has_cap(cap):
    """capget(): is @cap in our effective set?  (/proc is the simulation.)"""
    hdr = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.syscall(ctypes.c_long(125), hdr, data):
        return False
    return bool(data[(cap // 32) * 3] >> (cap % 32) & 1)


def may_prlimit(w, tid):
    """check_prlimit_permission(): CAP_SYS_RESOURCE or every uid ours."""
    return has_cap(24) or all(u == os.getuid() for u in w.uids[tid][:3])


def may_signal(w, tid):
    if os.geteuid() == 0:
        return True
    r, e, s, _ = w.uids[tid]
    me = (os.getuid(), os.geteuid())
    return any(x in (r, s) for x in me)


def expect_kill(w, pid, sig):
    bad = not 0 <= sig <= 64
    if pid == -2**31:
        return -errno.ESRCH
    if pid == -1:
        return -errno.EINVAL if bad else 0
    if pid < -1:
        members = [p for p, g in w.pgrp.items() if g == -pid]
        if not members:
            return -errno.ESRCH
        if bad:
            return -errno.EINVAL
        return 0 if any(may_signal(w, p) for p in members) else -errno.EPERM
    if pid not in w.tgid:
        return -errno.ESRCH
    if bad:
        return -errno.EINVAL
    return 0 if may_signal(w, pid) else -errno.EPERM


def expect_tgkill(w, tgid, tid, sig):
    if tgid <= 0 or tid <= 0:
        return -errno.EINVAL
    if tid not in w.tgid or w.tgid[tid] != tgid:
        return -errno.ESRCH
    if not 0 <= sig <= 64:
        return -errno.EINVAL
    return 0 if may_signal(w, tid) else -errno.EPERM


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    w = World()
    if len(sys.argv) > 3:
        uid = int(sys.argv[3])
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)	# all ids non-zero: no capabilities
    missing = [p for p in (99990, 99991, 4000000) if p not in w.tgid]
    sigs = [0, 18, 28, 65, -1, 1000]
    errors = []

    def pid_arg():
        return rng.choice(w.pids + missing)

    def check(what, want, got):
        if want != got and len(errors) < 10:
            errors.append(f"{what}: expected {want}, got {got}")

    for _ in range(count):
        op = rng.randrange(7)
        if op == 0:
            pid = rng.choice([pid_arg(), -rng.choice(w.groups + [77777]), -1, -2**31])
            sig = rng.choice(sigs)
            check(f"kill({pid}, {sig})", expect_kill(w, pid, sig), sys_call("kill", pid, sig))
        elif op == 1:
            tid = pid_arg()
            tgid = rng.choice([w.tgid.get(tid, 0), pid_arg(), 0])
            sig = rng.choice(sigs)
            check(f"tgkill({tgid}, {tid}, {sig})", expect_tgkill(w, tgid, tid, sig),
                  sys_call("tgkill", tgid, tid, sig))
        elif op == 2:
            tid, sig = pid_arg(), rng.choice(sigs)
            check(f"tkill({tid}, {sig})", expect_tgkill(w, w.tgid.get(tid, 1), tid, sig),
                  sys_call("tkill", tid, sig))
        elif op == 3:
            pid = pid_arg()
            want = 20 - w.nice[pid] if pid in w.nice else -errno.ESRCH
            check(f"getpriority(PROCESS, {pid})", want, sys_call("getpriority", 0, pid))
            check("getpriority(7, 5)", -errno.EINVAL, sys_call("getpriority", 7, 5))
        elif op == 4:
            pid, nice = pid_arg(), rng.randrange(-30, 31)
            if pid not in w.nice:
                want = -errno.ESRCH
            elif os.geteuid() != 0 and w.uids[pid][0] != os.geteuid() and w.uids[pid][1] != os.geteuid():
                want = -errno.EPERM
            elif os.geteuid() != 0 and max(-20, min(19, nice)) < w.nice[pid]:
                want = -errno.EACCES
            else:
                want = 0
                w.nice[pid] = max(-20, min(19, nice))
            check(f"setpriority(PROCESS, {pid}, {nice})", want,
                  sys_call("setpriority", 0, pid, nice))
        elif op == 6:
            # Getters: a value for an existing pid, ESRCH for a missing one.
            pid = pid_arg()
            buf = ctypes.create_string_buffer(512)
            name, args = rng.choice([
                ("sched_getaffinity", (pid, 512, ctypes.addressof(buf))),
                ("sched_getscheduler", (pid,)),
                ("ioprio_get", (1, pid)),
                ("prlimit64", (pid, 7, 0, ctypes.addressof(buf)))])
            got = sys_call(name, *args)
            want = -errno.ESRCH if pid not in w.tgid else "ok"
            if name == "prlimit64" and pid in w.tgid and not may_prlimit(w, pid):
                want = -errno.EPERM
            check(f"{name}{args[:2]}", want, got if got < 0 else "ok")
            if name == "prlimit64" and got == 0:
                soft = int.from_bytes(buf.raw[:8], "little")
                check(f"prlimit64({pid}) NOFILE soft", True, 0 < soft <= 524288)
        else:
            pid, flags = pid_arg(), rng.choice([0, os.O_NONBLOCK, 1])
            if flags not in (0, os.O_NONBLOCK):
                want = -errno.EINVAL
            elif pid not in w.tgid:
                want = -errno.ESRCH
            elif w.tgid[pid] != pid:
                want = -errno.EINVAL
            else:
                want = "fd"
            got = sys_call("pidfd_open", pid, flags)
            if got >= 0:
                os.close(got)
                got = "fd"
            check(f"pidfd_open({pid}, {flags})", want, got)

    # Raw random arguments: a result or a documented errno, never a hang.
    allowed = {errno.EINVAL, errno.ESRCH, errno.EPERM, errno.EACCES,
               errno.EFAULT, errno.EBADF, errno.EMFILE}
    for _ in range(count):
        name = rng.choice(RAW)
        args = [rng.choice([rng.getrandbits(64), rng.getrandbits(31),
                            -rng.getrandbits(31), rng.choice(w.pids)])
                for _ in range(3)]
        if name in ("kill", "tkill", "tgkill"):
            args[-1 if name != "kill" else 1] = rng.choice([0, 28, 2**40 + 28])
            if name == "tkill":
                args[1] = rng.choice([0, 28])
        if name == "setpriority":
            args[2] = 0	# no state change: the model above stays valid
        got = sys_call(name, *args)
        if name == "pidfd_open" and got >= 0:
            os.close(got)
        if got < 0 and -got not in allowed and len(errors) < 10:
            errors.append(f"{name}{tuple(args)}: errno {-got} ({os.strerror(-got)})")
    # The supervisor still answers.
    check("kill(first pid, 0) at the end", expect_kill(w, w.pids[0], 0),
          sys_call("kill", w.pids[0], 0))
    for e in errors:
        print(e)
    print(f"seed {seed}: {2 * count} calls, {len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
