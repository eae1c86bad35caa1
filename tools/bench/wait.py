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


def _ctl_iters(strategy, n, iters):
    """Cycles in a run's long write: 10x more where a cycle costs a few µs
    (lookup, and scan up to 1,000 children), so that each write lasts
    tens of ms and a scheduling hiccup on this shared machine is small
    against it; scan over thousands of children is long enough as is."""
    return iters if strategy == "scan" and n > 1000 else iters * 10


def _ctl_runs(ns, runs, iters):
    """({(strategy, n): [wall ns]}, {(strategy, n): [daemon CPU ns]},
    {(strategy, n): [fixed wall ns per write]}) per fork+exit+wait through
    the ctl file: one daemon per strategy, both up at once, runs
    alternating between them so that both see the same machine noise.

    Each run is two writes, of iters/4 and of iters cycles, and a cycle's
    cost is their difference over the extra cycles.  A write has fixed
    costs that are not do_wait's: the FUSE round trip, and the work every
    ctl write publishes afterwards (fuse_ctl.c's publish_changes walks
    every process for pts/, O(N) per write).  At N=20,000 that walk cost
    about 2 ms per write, which over 300 cycles made lookup look 2.6x its
    N=1 time; the difference cancels it, and the tables show it apart."""
    out, cpu, fixed, rows = {}, {}, {}, []
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
                    it = _ctl_iters(s, n, iters)
                    small = it // 4
                    _ctl_op(ds_[s], ws[s], small)
                    w1, c1 = _ctl_op(ds_[s], ws[s], small)
                    w2, c2 = _ctl_op(ds_[s], ws[s], it)
                    v = (w2 * it - w1 * small) / (it - small)
                    c = (c2 * it - c1 * small) / (it - small)
                    out.setdefault((s, n), []).append(v)
                    cpu.setdefault((s, n), []).append(c)
                    fixed.setdefault((s, n), []).append(w1 * small - v * small)
                    rows.append(["ctl", "children", s, n, r, it,
                                 f"{v:.1f}", f"{c:.1f}"])
            progress(f"wait: ctl N={n} done")
    return out, cpu, fixed, rows


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


@scenario("wait-ctl", "the wait scenario's ctl-file tables alone (two "
          "repeat writes per run, a cycle by their difference)")
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
    ctl_iters = 120 if args.quick else 1200
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
    t0 = time.monotonic()
    res, cpu, fixed, rows = _ctl_runs(ctl_ns, runs, ctl_iters)
    all_rows += rows
    for what, r in (("the daemon's CPU time (all its threads, from "
                     "schedstat)", cpu), ("wall time", res)):
        header, rows, summary = _table(r, ctl_ns, 1000, "µs", WAIT_ANCHORS)
        rep.table(f"wait, through /proc/procsim/ctl, N children (two "
                  f"writes per run, `repeat M/4` and `repeat M` of "
                  f"`fork W; exit $!; wait W $!`, M = {ctl_iters} for scan "
                  f"above 1,000 children, {ctl_iters * 10} otherwise; µs "
                  f"of {what} per operation = the difference of the two "
                  f"writes over the 3M/4 extra cycles, median of {runs} "
                  f"runs)", header, rows)
        rep.csv("ctl_children_cpu.csv" if r is cpu else
                "ctl_children_wall.csv",
                ["n", "scan_median_ns", "lookup_median_ns"], summary)

    frows = []
    for n in ctl_ns:
        sc, lk = summarize(fixed["scan", n]), summarize(fixed["lookup", n])
        frows.append([f"{n:,}"] + [f"{t[0] / 1e6:.2f} ({t[1] / 1e6:.2f}–"
                                   f"{t[2] / 1e6:.2f})" for t in (sc, lk)])
    rep.table("wait, through /proc/procsim/ctl: each write's fixed wall "
              "time (ms; the `repeat` write's time less its cycles: the "
              "round trip and what a write publishes afterwards, such as "
              "the pts/ walk over every process), median of "
              f"{runs} runs", ["N", "scan ms", "lookup ms"],
              frows, note=f"The ctl part ran in {time.monotonic() - t0:.1f}"
              " s.")
    rep.csv("runs.csv", ["via", "kind", "strategy", "n", "run", "iters",
                         "ns_per_op", "daemon_cpu_ns_per_op"], all_rows)
    rep.done()
