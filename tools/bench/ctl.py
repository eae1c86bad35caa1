"""Scenario ctl: issue 16's ctl transaction, per transport and population.

A transaction is one command line written to an open procsim/ctl and its
reply read back (write + read on one fd: a FUSE WRITE and a FUSE READ),
timed by the client around the two syscalls.  Two kinds: a read-only
command (getpriority), and fork 1 / exit PID / wait 1 PID, three
transactions that leave the world as it was.  With
PROCSIM_BENCH_BASELINE=<another procsim binary> the same runs go to that
daemon too, alternating run by run in one sitting, with the ratio."""

import os
import time

from bench.common import (BenchError, Daemon, Report, fmt_spread, progress,
                          scenario, summarize)
from bench.transport import GOAL_CTL_US, check_transport, transports

KINDS = ("read-only", "fork+exit+wait")


def transactions(mnt, kind, n):
    """About n transactions of `kind` on one open ctl file: the list of
    seconds each took."""
    fd = os.open(os.path.join(mnt, "procsim", "ctl"), os.O_RDWR)
    each = []

    def tx(line):
        t0 = time.perf_counter()
        os.write(fd, (line + "\n").encode())
        reply = os.read(fd, 4096).decode()
        each.append(time.perf_counter() - t0)
        if reply.startswith("E"):
            raise BenchError(f"ctl {line}: {reply.strip()}")
        return reply

    try:
        while len(each) < n:
            if kind == "read-only":
                tx("getpriority process 1")
            else:
                pid = tx("fork 1").split()[0]
                tx(f"exit {pid}")
                tx(f"wait 1 {pid}")
    finally:
        os.close(fd)
    return each


def per_tx(d, before, after, n):
    """FUSE requests by opcode and invalidations sent, per transaction."""
    ops = {op: (after.fuse[op][0] - before.fuse.get(op, (0, 0))[0]) / n
           for op in after.fuse
           if after.fuse[op][0] != before.fuse.get(op, (0, 0))[0]}
    sent = (after.values.get("publish_invals_sent", 0) -
            before.values.get("publish_invals_sent", 0)) / n
    return ops, sent


def side_daemons(tr, n, baseline):
    sides = [("new", None)]
    if baseline:
        sides.append(("old", baseline))
    out = []
    for name, exe in sides:
        d = Daemon(f"populate={n},transport={tr}")
        if exe:
            d.exe = exe
        out.append((name, d))
    return out


@scenario("ctl", "issue 16's ctl transaction (write a line, read its reply) "
          "per transport at 100 and 10,000 processes: a read-only command "
          "and fork/exit/wait; PROCSIM_BENCH_BASELINE=<procsim> adds an old "
          "daemon, alternating, with the ratio")
def bench_ctl(args):
    pops = (100, 1000) if args.quick else (100, 10000)
    runs = args.runs or 5
    n = 500 if args.quick else 2000
    baseline = os.environ.get("PROCSIM_BENCH_BASELINE")
    if baseline and not os.access(baseline, os.X_OK):
        raise BenchError(f"PROCSIM_BENCH_BASELINE={baseline}: not executable")
    rows, csv_rows, notes = [], [], []
    load0 = os.getloadavg()[0]
    for tr, why in transports():
        if why:
            notes.append(f"transport {tr}: not measured here: {why}")
            continue
        for pop in pops:
            progress(f"ctl: transport {tr}, {pop} processes")
            sides = side_daemons(tr, pop, baseline)
            for _, d in sides:
                d.__enter__()
            try:
                for _, d in sides:
                    check_transport(d, tr)
                med = {(s, k): [] for s, _ in sides for k in KINDS}
                shape = {}
                for run in range(runs):
                    for s, d in sides:
                        for k in KINDS:
                            before = d.stats()
                            each = transactions(d.mnt, k, n)
                            after = d.stats()
                            if s == "new" and before and after:
                                shape[k] = per_tx(d, before, after, len(each))
                            us = sorted(x * 1e6 for x in each)
                            med[(s, k)].append(us[len(us) // 2])
                            csv_rows.append([tr, pop, s, k, run,
                                             f"{us[len(us) // 2]:.2f}",
                                             f"{us[len(us) // 10]:.2f}",
                                             f"{us[len(us) * 9 // 10]:.2f}"])
                    progress(f"ctl {tr} {pop}: run {run + 1}/{runs}")
            finally:
                for _, d in sides:
                    d.__exit__(None, None, None)
            for k in KINDS:
                new = summarize(med[("new", k)])
                row = [tr, str(pop), k, fmt_spread(new)]
                if baseline:
                    old = summarize(med[("old", k)])
                    row += [fmt_spread(old), f"{new[0] / old[0]:.2f}×"]
                ops, sent = shape.get(k, ({}, 0))
                # The stats reads around a run add a few requests: < 0.01.
                row += [" ".join(f"{op} {v:.2f}" for op, v in sorted(ops.items())
                                 if v >= 0.01),
                        f"{sent:.2f}",
                        f"≤ {GOAL_CTL_US} µs: "
                        f"{'met' if new[0] <= GOAL_CTL_US else 'not met'}"]
                rows.append(row)
    header = ["transport", "processes", "transaction", "median µs (min–max of runs)"]
    if baseline:
        header += ["baseline µs", "new/baseline"]
    header += ["FUSE requests per transaction", "invalidations sent", "goal"]
    rep = Report(args, "ctl")
    rep.table(f"ctl transaction: write a line + read its reply on one open "
              f"ctl file, {n} per run, median of each run, then the median "
              f"of {runs} runs (min–max); sides alternate run by run; "
              f"client: Python os.write/os.read; load average "
              f"{load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
              + (f"; baseline {baseline}" if baseline else ""),
              header, rows, note="\n".join(notes) or None)
    rep.csv("runs.csv", ["transport", "processes", "side", "transaction",
                         "run", "median_us", "p10_us", "p90_us"], csv_rows)
    rep.done()
