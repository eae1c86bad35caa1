"""Scenario readdir: the real tools over procsim and over the kernel's /proc."""

from bench.common import (PROCSIM_RUN, Daemon, Plot, Report, Series,
                          Sleepers, fmt_s, fmt_spread, progress, repeat,
                          scenario, summarize)
from bench.attrib import ATTRIB_HEADER, attrib_cells, attributed
from bench.likeforlike import like_for_like
from bench.transport import (GOAL_COMMANDS, goals_table, skipped_note,
                             tools_by_transport, uring_for_run)


def instrumented(d, argv):
    """One run: (sample, daemon CPU s, requests per opcode, stats delta)."""
    s, cpu, st = attributed(d, argv)
    return s, cpu, st.by_op(), st


def fmt_ops(ops):
    return " ".join(f"{op} {n}" for op, n in
                    sorted(ops.items(), key=lambda x: -x[1]) if n > 0)


def renew_world(d, n):
    """Every process changes: a reset and the same seeded populate again."""
    d.ctl("reset")
    d.ctl(f"populate {n}")


# ---------------------------------------------------------------- readdir

# ANCHORS.md section 6: the kernel's own /proc, 10,068 sleepers, 2 cores.
READDIR_ANCHORS = {"ps aux": 0.296, "ps -ef": 0.295, "pstree -p": 0.980,
                   "ls /proc": 0.014}
READDIR_COMMANDS = ["ps aux", "ps -ef", "pstree -p", "top -b -n1", "ls /proc"]


@scenario("readdir", "ps aux, ps -ef, pstree -p, top -b -n1 and ls /proc on "
          "10,000 processes: procsim (populate=10000, through procsim-run) "
          "against the kernel's /proc with 10,000 real sleeping processes, "
          "then the like-for-like table (readdir-like)")
def bench_readdir(args):
    n = 1000 if args.quick else 10000
    runs = args.runs
    sim, kern, warmup, cold, detail = {}, {}, {}, {}, {}

    progress(f"readdir: procsim with populate={n}")
    with Daemon(f"populate={n}") as d:
        sim_shape = d.stats().values
        for cmd in ["true"] + READDIR_COMMANDS:
            argv = [PROCSIM_RUN, "-m", d.mnt, "--"] + cmd.split()
            warmup["procsim", cmd], sim[cmd] = repeat(
                argv, runs, f"procsim {cmd}", d.fuse_requests)
            if cmd == "true":
                continue
            detail[cmd, "warm"] = instrumented(d, argv)
            cold[cmd] = []
            for i in range(runs):
                renew_world(d, n)
                cold[cmd].append(instrumented(d, argv))
                progress(f"procsim {cmd}: cold {i + 1}/{runs}: "
                         f"{cold[cmd][-1][0].wall:.3f} s")
    progress(f"readdir: kernel /proc with {n} sleepers")
    with Sleepers(n):
        for cmd in READDIR_COMMANDS:
            warmup["kernel", cmd], kern[cmd] = repeat(
                cmd.split(), runs, f"kernel {cmd}")

    overhead = summarize([s.wall for s in sim["true"]])
    header = ["command", "procsim wall s", "user", "sys", "FUSE requests",
              "kernel wall s", "user", "sys", "procsim/kernel",
              "net procsim/kernel", "anchor wall s (10,068)"]
    rows, csv_rows, plot_rows = [], [], []
    for cmd in ["true"] + READDIR_COMMANDS:
        s = sim[cmd]
        sw, su, ss = (summarize([getattr(x, f) for x in s])
                      for f in ("wall", "user", "sys"))
        fr = summarize([x.fuse for x in s])
        k = kern.get(cmd)
        kw, ku, ks = ((summarize([getattr(x, f) for x in k])
                       for f in ("wall", "user", "sys")) if k else
                      (None, None, None))
        ratio = net = "—"
        if kw:
            ratio = f"{sw[0] / kw[0]:.1f}×"
            net = f"{max(sw[0] - overhead[0], 0) / kw[0]:.1f}×"
        anchor = READDIR_ANCHORS.get(cmd)
        label = "procsim-run true (overhead)" if cmd == "true" else f"`{cmd}`"
        rows.append([label, fmt_spread(sw), fmt_s(su), fmt_s(ss),
                     "n/a" if fr is None else f"{fr[0]:.0f}",
                     fmt_spread(kw) if k else "—", fmt_s(ku) if k else "—",
                     fmt_s(ks) if k else "—", ratio, net,
                     f"{anchor:.3f}" if anchor else "—"])
        for side, samples in (("procsim", s), ("kernel", k)):
            if samples is None:
                continue
            for i, x in enumerate([warmup[side, cmd]] + samples):
                csv_rows.append([side, cmd, n, i or "warmup", f"{x.wall:.6f}",
                                 f"{x.user:.6f}", f"{x.sys:.6f}",
                                 "" if x.fuse is None else x.fuse])
        if k:
            plot_rows.append([cmd, *sw, *kw])

    title = (f"readdir: {n} processes, median of {runs} runs (min–max); "
             f"procsim figures include procsim-run's overhead "
             f"({overhead[0]:.3f} s), which 'net' subtracts.  Shapes: "
             f"'procsim' is populate={n} ({sim_shape.get('processes', 0):,} "
             f"processes, {sim_shape.get('threads', 0):,} threads); the "
             f"kernel side is {n:,} single-threaded `sleep` processes, so "
             f"the shapes differ: the like-for-like table below compares "
             f"equal shapes")
    rep = Report(args, "readdir")
    rep.table(title, header, rows)
    like_for_like(args, n, runs, rep)

    # Cold: the first run after every process changed (reset + populate).
    cold_rows = []
    for cmd in READDIR_COMMANDS:
        cw = summarize([x[0].wall for x in cold[cmd]])
        kw = summarize([x.wall for x in kern[cmd]])
        mid = sorted(cold[cmd], key=lambda x: x[0].wall)[len(cold[cmd]) // 2]
        ws, wcpu, wops, _ = detail[cmd, "warm"]
        cold_rows.append([f"`{cmd}`", fmt_spread(cw), f"{cw[0] / kw[0]:.1f}×",
                          f"{mid[1]:.2f}", fmt_ops(mid[2]),
                          f"{ws.wall:.3f}", f"{wcpu:.2f}", fmt_ops(wops)])
    cold_title = (f"readdir, cold and per request: cold = the first run after "
                  f"every process changed (reset + the same populate), median "
                  f"of {runs}; requests and daemon CPU of the median cold run "
                  f"and of one warm run")
    rep.table(cold_title,
              ["command", "cold wall s", "cold/kernel", "daemon CPU s (cold)",
               "requests (cold)", "warm wall s", "daemon CPU s (warm)",
               "requests (warm)"], cold_rows)
    attrib_rows = []
    for cmd in READDIR_COMMANDS:
        mid = sorted(cold[cmd], key=lambda x: x[0].wall)[len(cold[cmd]) // 2]
        for which, (s_, cpu, _, st) in (("cold", mid),
                                        ("warm", detail[cmd, "warm"])):
            attrib_rows.append([f"`{cmd}`", which] +
                               attrib_cells(s_, cpu, st))
    attrib_title = ("readdir, where the daemon's time goes (/proc/procsim/"
                    "stats around each run; docs/replay.md): the median cold "
                    "run and one warm run; 'other' is transport-side work in "
                    "the handlers (node resolution, stat, packing, the "
                    "reply's write to /dev/fuse); daemon CPU minus 'in "
                    "handlers' is libfuse's loop and reading requests")
    rep.table(attrib_title, ["command", "run"] + ATTRIB_HEADER, attrib_rows)
    rep.csv("runs.csv", ["side", "command", "processes", "run", "wall_s",
                         "user_s", "sys_s", "fuse_requests"], csv_rows)
    rep.csv("summary.csv", ["command", "procsim_median", "procsim_min",
                            "procsim_max", "kernel_median", "kernel_min",
                            "kernel_max"], plot_rows)
    rep.plot(Plot("readdir", f"Tools on {n} processes: procsim vs kernel "
                  "/proc (median, min-max)", None, "wall time (s)",
                  [Series("procsim (via procsim-run)",
                          [(r[0], *r[1:4]) for r in plot_rows]),
                   Series("kernel /proc", [(r[0], *r[4:7]) for r in plot_rows])],
                  kind="bars", log="y"))
    # Issue 16's goals per transport: dev is the runs above, the others
    # are measured now (bench/transport.py).
    have = {"dev": {c: {"cold": [x[0] for x in cold[c]], "warm": sim[c]}
                    for c in GOAL_COMMANDS}}
    with uring_for_run():
        res, _, skipped = tools_by_transport(n, runs, have)
    rep.table(f"readdir, issue 16's goals per transport: {n} processes, "
              f"median of {runs} (min–max), ratios to the kernel above "
              f"(its warm runs, single-threaded sleepers; `procsim-bench "
              f"cold` times a cold kernel with the same shape)",
              *goals_table(res, kern), note=skipped_note(skipped))
    rep.done()
