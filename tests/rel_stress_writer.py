#!/usr/bin/env python3
"""A ctl writer for tests/rel_stress.sh: random storms of fork, exit (and
reap), clone, exec, mmap and munmap on processes this writer owns, through
one open ctl fd, for SECONDS.  Other writers run at the same time on their
own processes, so every command names pids this writer created.

Prints one line: "ops N processes P threads T", P and T what this writer
leaves alive, so the caller can check the final state adds up.  Exits 1 on
any reply that is not what the command must give."""
import os
import random
import sys
import time

ctl, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
fd = os.open(ctl, os.O_RDWR)
parent = {}        # my live process -> its parent pid
threads = {}       # my live process -> number of extra threads
maps = {}          # my live process -> addresses it mmapped
ops = 0


def cmd(line):
    global ops
    os.write(fd, (line + "\n").encode())
    r = os.read(fd, 1 << 20).decode()
    if not r.endswith("\n") or r.count("\n") != 1 or r.startswith("E"):
        sys.exit("writer %d: '%s' -> %r" % (seed, line, r))
    ops += 1
    return r.split()


def fork(ppid, n):
    for pid in cmd("fork %d %d" % (ppid, n)):
        pid = int(pid)
        parent[pid] = ppid
        threads[pid] = 0
        maps[pid] = []


def kill(pid):
    """exit_group, then reaped by its parent; its children go to init."""
    cmd("exit %d %d" % (pid, rng.randrange(256)))
    reaped, status = cmd("wait %d %d" % (parent[pid], pid))
    if int(reaped) != pid:
        sys.exit("writer %d: wait for %d reaped %s" % (seed, pid, reaped))
    for child, p in parent.items():
        if p == pid:
            parent[child] = 1
    del parent[pid], threads[pid], maps[pid]


deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    mine = list(parent)
    op = rng.randrange(100)
    if op < 15 or len(mine) < 5:
        fork(1, rng.choice((1, 1, 2, 5, 20)))
    elif op < 25:
        fork(rng.choice(mine), 1)
    elif op < 45:
        # An exit storm when there are many, else one.
        for pid in rng.sample(mine, min(len(mine) - 3, rng.choice((1, 1, 10)))):
            kill(pid)
    elif op < 55:
        pid = rng.choice(mine)
        cmd("clone %d" % pid)
        threads[pid] += 1
    elif op < 65:
        pid = rng.choice(mine)
        cmd("exec %d /usr/bin/w%d --stress %d" % (pid, seed, ops))
        threads[pid] = 0
        maps[pid] = []
    elif op < 85:
        pid = rng.choice(mine)
        addr = cmd("mmap %d %dK %s" % (pid, 4 * rng.randrange(1, 64),
                                       rng.choice(("rw-", "r--", "r-x"))))[0]
        maps[pid].append(addr)
    else:
        pid = rng.choice(mine)
        if maps[pid]:
            cmd("munmap %d %s 4K" % (pid, maps[pid].pop()))
print("ops %d processes %d threads %d" % (ops, len(parent), sum(threads.values())))
