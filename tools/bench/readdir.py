"""Scenario readdir: the real tools over procsim and over the kernel's /proc."""

import os
import subprocess

from bench.common import *  # noqa: F401,F403
from bench.attrib import ATTRIB_HEADER, attrib_cells, attributed
from bench.transport import GOAL_COMMANDS, goals_table, tools_by_transport

PROCSIMCTL = os.path.join(BUILD, "procsimctl")


def instrumented(d, argv):
    """One run: (sample, daemon CPU s, requests per opcode, stats delta)."""
    s, cpu, st = attributed(d, argv)
    return s, cpu, st.by_op(), st


def sleepers_shape(d, n):
    """The kernel side's shape in the simulation: a fresh boot, then n
    single-threaded `sleep 3600` processes (fork from init, exec)."""
    d.ctl(["reset"])
    pids = d.ctl([f"fork 1 {n}"])[0].split()
    d.ctl([f"exec {p} sleep 3600" for p in pids])
    return d.stats().values


def fmt_ops(ops):
    return " ".join(f"{op} {n}" for op, n in
                    sorted(ops.items(), key=lambda x: -x[1]) if n > 0)


def renew_world(d, n):
    """Every process changes: a reset and the same seeded populate again."""
    for cmd in (["reset"], ["populate", str(n)]):
        subprocess.run([PROCSIMCTL, "-m", d.mnt] + cmd, check=True,
                       stdout=subprocess.DEVNULL, timeout=CMD_TIMEOUT)


# ---------------------------------------------------------------- readdir

# ANCHORS.md section 6: the kernel's own /proc, 10,068 sleepers, 2 cores.
READDIR_ANCHORS = {"ps aux": 0.296, "ps -ef": 0.295, "pstree -p": 0.980,
                   "ls /proc": 0.014}
READDIR_COMMANDS = ["ps aux", "ps -ef", "pstree -p", "top -b -n1", "ls /proc"]


@scenario("readdir", "ps aux, ps -ef, pstree -p, top -b -n1 and ls /proc on "
          "10,000 processes: procsim (populate=10000, through procsim-run) "
          "against the kernel's /proc with 10,000 real sleeping processes")
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

    # Like for like: the simulation in the kernel side's shape.
    flat = {}
    progress(f"readdir: procsim with {n} single-threaded sleepers (the "
             "kernel side's shape)")
    with Daemon("populate=0") as d:
        shape = sleepers_shape(d, n)
        for cmd in READDIR_COMMANDS:
            argv = [PROCSIM_RUN, "-m", d.mnt, "--"] + cmd.split()
            _, flat[cmd] = repeat(argv, runs, f"procsim sleepers {cmd}",
                                  d.fuse_requests)

    overhead = summarize([s.wall for s in sim["true"]])
    header = ["command", "procsim wall s", "user", "sys", "FUSE requests",
              "kernel wall s", "user", "sys", "procsim/kernel",
              "net procsim/kernel", "procsim, kernel's shape: wall s",
              "its FUSE requests", "net its/kernel",
              "anchor wall s (10,068)"]
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
        fl = flat.get(cmd)
        fw = summarize([x.wall for x in fl]) if fl else None
        ff = summarize([x.fuse for x in fl]) if fl else None
        fnet = (f"{max(fw[0] - overhead[0], 0) / kw[0]:.1f}×"
                if fw and kw else "—")
        rows.append([label, fmt_spread(sw), fmt_s(su), fmt_s(ss),
                     "n/a" if fr is None else f"{fr[0]:.0f}",
                     fmt_spread(kw) if k else "—", fmt_s(ku) if k else "—",
                     fmt_s(ks) if k else "—", ratio, net,
                     fmt_spread(fw) if fw else "—",
                     f"{ff[0]:.0f}" if ff else "—", fnet,
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
             f"kernel side is {n:,} single-threaded `sleep` processes; "
             f"'procsim, kernel's shape' is a fresh boot plus {n:,} forks "
             f"of init exec'd as `sleep 3600` "
             f"({shape.get('processes', 0):,} processes, "
             f"{shape.get('threads', 0):,} threads): like for like")
    table = markdown_table(header, rows)
    print(f"\n### {title}\n\n{table}\n")

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
    cold_table = markdown_table(
        ["command", "cold wall s", "cold/kernel", "daemon CPU s (cold)",
         "requests (cold)", "warm wall s", "daemon CPU s (warm)",
         "requests (warm)"], cold_rows)
    print(f"\n### {cold_title}\n\n{cold_table}\n")
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
    attrib_table = markdown_table(["command", "run"] + ATTRIB_HEADER,
                                  attrib_rows)
    print(f"\n### {attrib_title}\n\n{attrib_table}\n")

    # Issue 16's goals per transport: dev is the runs above, the others
    # are measured now (bench/transport.py).
    have = {"dev": {c: {"cold": [x[0] for x in cold[c]], "warm": sim[c]}
                    for c in GOAL_COMMANDS}}
    res, _, skipped = tools_by_transport(n, runs, have)
    goals_title = (f"readdir, issue 16's goals per transport: {n} processes, "
                   f"median of {runs} (min–max), ratios to the kernel above")
    goals = goals_table(res, kern, skipped)
    print(f"\n### {goals_title}\n\n{goals}\n")

    out = outdir_for(args, "readdir")
    with open(os.path.join(out, "readdir.md"), "w") as f:
        f.write(f"### {title}\n\n{table}\n\n### {cold_title}\n\n{cold_table}"
                f"\n\n### {attrib_title}\n\n{attrib_table}"
                f"\n\n### {goals_title}\n\n{goals}\n")
    write_csv(os.path.join(out, "runs.csv"),
              ["side", "command", "processes", "run", "wall_s", "user_s",
               "sys_s", "fuse_requests"], csv_rows)
    write_csv(os.path.join(out, "summary.csv"),
              ["command", "procsim_median", "procsim_min", "procsim_max",
               "kernel_median", "kernel_min", "kernel_max"], plot_rows)
    with open(os.path.join(out, "readdir.dat"), "w") as f:
        for r in plot_rows:
            f.write(f'"{r[0]}" ' + " ".join(f"{c:.6f}" for c in r[1:]) + "\n")
    gnuplot(f"""set terminal TERMINAL size 900,500 noenhanced
set output 'readdir.png'
set title "Tools on {n} processes: procsim vs kernel /proc (median, min-max)"
set ylabel 'wall time (s)'
set logscale y
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set key top left
set grid ytics
plot 'readdir.dat' using 2:3:4:xtic(1) title 'procsim (via procsim-run)', \\
     '' using 5:6:7 title 'kernel /proc'
""", out)
    progress(f"readdir: wrote {out}/{{readdir.md,runs.csv,summary.csv,"
             f"readdir.png}}")
