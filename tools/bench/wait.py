"""Scenario wait: waitpid's O(n) scan against the O(1) lookup (seed 000)."""

import time

from bench.common import (BenchError, Daemon, Report, corebench, progress,
                          scenario, summarize)

# ANCHORS.md section 2 (commit 5449162ac001): fork + waitpid, from a task
# with N children, in µs, before (scan) and after (lookup).  Published.
WAIT_ANCHORS = {1: (74, 74), 20: (72, 75), 100: (83, 77), 500: (99, 74),
                1000: (179, 75), 5000: (804, 79), 8000: (1268, 78)}
WAIT_NS = [1, 20, 100, 500, 1000, 5000, 8000, 50000]
CTL_NS = [1, 20, 100, 500, 1000, 5000, 8000, 20000]
STRATEGIES = ["scan", "lookup"]


def _core_runs(kind, ns, runs, min_ms):
    """{(strategy, n): [ns per op]}: one fresh corebench process per run
    and N (both strategies inside it, alternating), so the heap layout of
    one process does not colour every figure."""
    out, rows = {}, []
    for r in range(runs):
        for n in ns:
            for row in corebench("wait", "--runs", 1, "--min-ms", min_ms,
                                 "--kind", kind, n).dicts():
                v = float(row["ns_per_op"])
                out.setdefault((row["strategy"], n), []).append(v)
                rows.append(["core", kind, row["strategy"], n, r,
                             row["iters"], f"{v:.1f}"])
        progress(f"wait: core {kind}: run {r + 1}/{runs}")
    return out, rows


def _ctl_setup(d, n):
    """A fresh world on d with one waiter W holding n children; W."""
    d.ctl("reset")
    w = d.ctl("fork 1")[0].split()[0]
    if n:
        d.ctl(f"fork {w} {n}")
    return w


def _ctl_op(d, w, iters):
    """(wall ns, daemon CPU ns) per fork + exit + wait through the ctl file:
    one write carries all `iters` cycles (repeat, with $! the new child),
    so one FUSE round trip is shared by them all."""
    c0, t0 = d.cpu_ns(), time.perf_counter()
    reply = d.ctl(f"repeat {iters} fork {w}; exit $!; wait {w} $!")
    if reply != [f"ok {iters}"]:
        raise BenchError(f"ctl repeat: {' '.join(reply)}")
    wall = (time.perf_counter() - t0) / iters * 1e9
    return wall, (d.cpu_ns() - c0) / iters


def _ctl_runs(ns, runs, iters):
    """({(strategy, n): [wall ns]}, {(strategy, n): [daemon CPU ns]}) per
    fork+exit+wait through the ctl file: one daemon per strategy, both up
    at once, runs alternating between them so that both see the same
    machine noise."""
    out, cpu, rows = {}, {}, []
    # -s: one FUSE thread.  With libfuse's pool, the number of workers and
    # the hops between them varied from daemon to daemon and moved the
    # daemon's CPU time per operation by 2x, more than do_wait itself.
    with Daemon("wait=scan,pid_max=4194304,cache=off", ["-s"]) as ds, \
            Daemon("wait=lookup,pid_max=4194304,cache=off", ["-s"]) as dl:
        ds_ = {"scan": ds, "lookup": dl}
        for n in ns:
            ws = {s: _ctl_setup(ds_[s], n) for s in STRATEGIES}
            for r in range(runs):
                # Whichever daemon goes first after a pause pays for waking
                # up: alternate the order, and warm each up right before.
                for s in STRATEGIES[::1 if r % 2 else -1]:
                    _ctl_op(ds_[s], ws[s], max(iters // 4, 1))
                    v, c = _ctl_op(ds_[s], ws[s], iters)
                    out.setdefault((s, n), []).append(v)
                    cpu.setdefault((s, n), []).append(c)
                    rows.append(["ctl", "children", s, n, r, iters,
                                 f"{v:.1f}", f"{c:.1f}"])
            progress(f"wait: ctl N={n} done")
    return out, cpu, rows


def _table(res, ns, unit_div, unit, anchors):
    header = ["N", f"scan {unit}", f"lookup {unit}", "scan/N=1",
              "lookup/N=1", "scan/lookup"]
    if anchors:
        header += ["published before µs", "published after µs",
                   "published before/N=1", "published after/N=1"]
    rows, summary = [], []
    base = {s: summarize(res[s, ns[0]])[0] for s in STRATEGIES}
    for n in ns:
        sc, lk = summarize(res["scan", n]), summarize(res["lookup", n])
        row = [f"{n:,}",
               f"{sc[0] / unit_div:.2f} ({sc[1] / unit_div:.2f}–{sc[2] / unit_div:.2f})",
               f"{lk[0] / unit_div:.2f} ({lk[1] / unit_div:.2f}–{lk[2] / unit_div:.2f})",
               f"{sc[0] / base['scan']:.2f}", f"{lk[0] / base['lookup']:.2f}",
               f"{sc[0] / lk[0]:.2f}"]
        if anchors:
            a = anchors.get(n)
            a1 = anchors[1]
            row += ([str(a[0]), str(a[1]), f"{a[0] / a1[0]:.2f}",
                     f"{a[1] / a1[1]:.2f}"] if a else ["—"] * 4)
        rows.append(row)
        summary.append([n, sc[0], lk[0]])
    return header, rows, summary


@scenario("wait-ctl", "the wait scenario's ctl-file tables alone (one "
          "repeat write per run)")
def bench_wait_ctl(args):
    args.ctl_only = True
    bench_wait(args)


@scenario("wait", "fork + exit + waitpid from a task with N children (or N "
          "tracees), scan vs lookup do_wait, core API and ctl file, beside "
          "the published figures of commit 5449162ac001")
def bench_wait(args):
    args.ctl_only = getattr(args, "ctl_only", False)
    runs = args.runs
    min_ms = 5 if args.quick else 40
    ctl_ns = [1, 100, 1000] if args.quick else CTL_NS
    ctl_iters = 30 if args.quick else 300
    rep = Report(args, "wait")
    all_rows = []

    for kind in ("children", "tracees") if not args.ctl_only else ():
        progress(f"wait: core API, N {kind}")
        res, rows = _core_runs(kind, WAIT_NS, runs, min_ms)
        all_rows += rows
        header, rows, summary = _table(res, WAIT_NS, 1000, "µs", WAIT_ANCHORS
                                       if kind == "children" else None)
        sc1, scn = summary[0][1], summary[-1][1]
        slope = (scn - sc1) / (WAIT_NS[-1] - WAIT_NS[0])
        title = (f"wait, core API, N {kind}: fork one more child, exit it, "
                 f"waitpid it (µs of CPU time per operation; median of "
                 f"{runs} runs, min–max)")
        if kind == "tracees":
            title += ("; the N are tracees of the waiter, the new process is "
                      "forked by a helper, attached, and reaped by the tracer "
                      "then by its parent")
        note = (f"scan grows by {slope:.1f} ns per extra "
                f"{'child' if kind == 'children' else 'tracee'}; lookup "
                f"at N={WAIT_NS[-1]:,} is {summary[-1][2] / summary[0][2]:.2f}× "
                f"its N=1 time")
        rep.table(title, header, rows, note)
        rep.csv(f"core_{kind}.csv", ["n", "scan_median_ns",
                                     "lookup_median_ns"], summary)

    progress("wait: through the ctl file on a mount")
    res, cpu, rows = _ctl_runs(ctl_ns, runs, ctl_iters)
    all_rows += rows
    for what, r in (("the daemon's CPU time (all its threads, from "
                     "schedstat)", cpu), ("wall time", res)):
        header, rows, summary = _table(r, ctl_ns, 1000, "µs", WAIT_ANCHORS)
        rep.table(f"wait, through /proc/procsim/ctl, N children (one "
                  f"write per run: `repeat {ctl_iters} fork W; exit $!; "
                  f"wait W $!`; µs of {what} per operation, median of "
                  f"{runs} runs of {ctl_iters})", header, rows)
        rep.csv("ctl_children_cpu.csv" if r is cpu else
                "ctl_children_wall.csv",
                ["n", "scan_median_ns", "lookup_median_ns"], summary)

    rep.csv("runs.csv", ["via", "kind", "strategy", "n", "run", "iters",
                         "ns_per_op", "daemon_cpu_ns_per_op"], all_rows)
    rep.done()
