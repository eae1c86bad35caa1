"""Scenario ctl-threads: the ctl transaction on a threaded process once the
kernel holds its thread files.

A change to a group's leader stales every thread's task/<tid>/ files
(fs/thread_dirs.h); the publish invalidates those the kernel may hold, as
fs/seen.h's marks say.  This times `setpriority process PID 1|2` (it
touches the leader and every thread) on one open ctl file, on a 4-thread
process of populate=N: before any thread file was read, and after one
`ps -eL` through the mount at the start of each run.  With
PROCSIM_BENCH_BASELINE=<another procsim> that daemon runs too, alternating
run by run, with the ratio."""

import os
import time

from bench.common import (PROCSIM_RUN, BenchError, Report, fmt_spread,
                          measure, progress, scenario, summarize)
from bench.ctl import per_tx, side_daemons

PHASES = ("nothing read", "after ps -eL")


def threaded_pid(mnt, want=4):
    """The first process of the mount with `want` threads."""
    for name in sorted((x for x in os.listdir(mnt) if x.isdigit()), key=int):
        try:
            with open(os.path.join(mnt, name, "status")) as f:
                if f"Threads:\t{want}\n" in f.read():
                    return int(name)
        except OSError:
            continue
    raise BenchError(f"no process with {want} threads in {mnt}")


def setpriority_loop(mnt, pid, n):
    """n setpriority transactions on one open ctl file: seconds each."""
    fd = os.open(os.path.join(mnt, "procsim", "ctl"), os.O_RDWR)
    each = []
    try:
        for i in range(n):
            t0 = time.perf_counter()
            os.write(fd, f"setpriority process {pid} {1 + i % 2}\n".encode())
            reply = os.read(fd, 4096)
            each.append(time.perf_counter() - t0)
            if reply.startswith(b"E"):
                raise BenchError(f"setpriority {pid}: {reply.decode().strip()}")
    finally:
        os.close(fd)
    return each


@scenario("ctl-threads", "the ctl transaction (setpriority of a 4-thread "
          "process) before any thread file is read and after a ps -eL: "
          "what invalidating thread files costs a write; "
          "PROCSIM_BENCH_BASELINE=<procsim> adds an old daemon, alternating")
def bench_ctl_threads(args):
    pop = 1000
    runs = args.runs or 5
    n = 500 if args.quick else 2000
    baseline = os.environ.get("PROCSIM_BENCH_BASELINE")
    sides = side_daemons("dev", pop, baseline)
    med, sent = {}, {}
    load0 = os.getloadavg()[0]
    for _, d in sides:
        d.__enter__()
    try:
        pids = {s: threaded_pid(d.mnt) for s, d in sides}
        for phase in PHASES:
            for run in range(runs):
                for s, d in (sides if run % 2 == 0 else sides[::-1]):
                    if phase != PHASES[0]:
                        measure([PROCSIM_RUN, "-m", d.mnt, "--", "ps", "-eL"])
                    before = d.stats()
                    each = setpriority_loop(d.mnt, pids[s], n)
                    after = d.stats()
                    us = sorted(x * 1e6 for x in each)
                    med.setdefault((s, phase), []).append(us[len(us) // 2])
                    sent.setdefault((s, phase), []).append(
                        per_tx(d, before, after, n)[1])
                progress(f"ctl-threads {phase}: run {run + 1}/{runs}")
    finally:
        for _, d in sides:
            d.__exit__(None, None, None)
    header = ["transaction", "side", "median µs (min–max of runs)",
              "invalidations sent per write (median)"]
    rows = []
    for phase in PHASES:
        for s, _ in sides:
            t = summarize(med[(s, phase)])
            ratio = ""
            if s != "new":
                ratio = f" (new/{s} {summarize(med[('new', phase)])[0] / t[0]:.2f}×)"
            rows.append([phase, s, fmt_spread(t) + ratio,
                         f"{summarize(sent[(s, phase)])[0]:.2f}"])
    rep = Report(args, "ctl-threads")
    rep.table(f"ctl transaction on a 4-thread process of populate={pop}: "
              f"`setpriority process PID 1|2`, {n} per run on one open ctl "
              f"file, median of each run, then the median of {runs} runs "
              f"(min–max); sides alternate run by run; load average "
              f"{load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
              + (f"; baseline {baseline}" if baseline else ""),
              header, rows)
    rep.done()
