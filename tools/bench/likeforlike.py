"""Like-for-like readdir (issue 12 §3): the real tools over procsim and over
the kernel's /proc, with both sides holding the same processes and threads.

Two shapes, each measured on both sides in the same run, runs alternating
between the sides so both see the same machine noise:
  - populate: the simulation's `populate=N` (processes with threads); the
    kernel side spawns one build/bench-sleeper per simulated process with
    that process's thread count (read from the simulation with ps -eL).
  - sleepers: the kernel side's N single-threaded `sleep` processes under
    one parent; the simulation is a fresh boot plus N forks of init, each
    exec'd as `sleep 3600` (sleepers_shape).
"""

import os
import subprocess

from bench.common import (PROCSIM_RUN, BenchError, Daemon, Report, Sleepers,
                          fmt_spread, measure, progress, scenario, summarize)

LIKE_COMMANDS = ["ps aux", "ps -ef", "ps -eL", "pstree -p", "top -b -n1",
                 "ls /proc"]


def sleepers_shape(d, n):
    """The kernel side's shape in the simulation: a fresh boot, then n
    single-threaded `sleep 3600` processes (fork from init, exec)."""
    d.ctl(["reset"])
    pids = d.ctl([f"fork 1 {n}"])[0].split()
    d.ctl([f"exec {p} sleep 3600" for p in pids])


def sim_threads(d):
    """Extra threads of every simulated process, in pid order: the shape
    the kernel side must copy (ps -eL's NLWP through procsim-run)."""
    r = subprocess.run([PROCSIM_RUN, "-m", d.mnt, "--", "ps", "-e", "-o",
                        "nlwp="], capture_output=True, text=True, timeout=300,
                       check=False)
    if r.returncode != 0:
        raise BenchError(f"ps -e -o nlwp on the mount: {r.stderr.strip()}")
    return [int(x) - 1 for x in r.stdout.split()]


def host_shape():
    """(processes, tasks) in the kernel's /proc right now."""
    procs = tasks = 0
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                tasks += len(os.listdir(f"/proc/{e}/task"))
                procs += 1
            except OSError:
                pass		# it just exited
    return procs, tasks


def sim_shape(d):
    """(processes, tasks) in the simulation: stats' threads are the tasks
    beyond each process's leader."""
    v = d.stats().values
    return v.get("processes", 0), v.get("processes", 0) + v.get("threads", 0)


def alternate(d, runs, label):
    """{(side, cmd): [Sample]}: one warm-up per side and command, then runs
    alternating sim/kernel (the order flips each run)."""
    out = {}
    for cmd in LIKE_COMMANDS:
        argv = {"sim": [PROCSIM_RUN, "-m", d.mnt, "--"] + cmd.split(),
                "kernel": cmd.split()}
        for side in argv:
            measure(argv[side])
        for r in range(runs):
            for side in (("sim", "kernel") if r % 2 else ("kernel", "sim")):
                out.setdefault((side, cmd), []).append(measure(argv[side]))
        sw = summarize([s.wall for s in out["sim", cmd]])[0]
        kw = summarize([s.wall for s in out["kernel", cmd]])[0]
        progress(f"{label} {cmd}: sim {sw:.3f} s, kernel {kw:.3f} s")
    return out


def ratio_cells(sim, kern):
    """(sim spread, kernel spread, ratio of medians with its range: the
    lowest sim over the highest kernel to the highest over the lowest)."""
    s = summarize([x.wall for x in sim])
    k = summarize([x.wall for x in kern])
    return (fmt_spread(s), fmt_spread(k),
            f"**{s[0] / k[0]:.2f}×** ({s[1] / k[2]:.2f}–{s[2] / k[1]:.2f})",
            s[0] / k[0])


def like_for_like(args, n, runs, rep):
    """Measure both shapes and add their table to rep; the CSV rows."""
    res, shapes = {}, {}
    progress(f"like for like, populate shape: populate={n}")
    with Daemon(f"populate={n}") as d:
        shapes["populate", "sim"] = sim_shape(d)
        threads = sim_threads(d)
        progress(f"kernel: {len(threads)} sleepers with "
                 f"{sum(threads)} extra threads")
        with Sleepers(0, threads=threads):
            shapes["populate", "kernel"] = host_shape()
            res["populate"] = alternate(d, runs, "populate shape")
    progress(f"like for like, sleepers shape: {n} single-threaded sleepers")
    with Daemon("populate=0") as d:
        sleepers_shape(d, n)
        shapes["sleepers", "sim"] = sim_shape(d)
        with Sleepers(n):
            shapes["sleepers", "kernel"] = host_shape()
            res["sleepers"] = alternate(d, runs, "sleepers shape")

    def label(shape, side):
        p, t = shapes[shape, side]
        return f"{p:,} processes, {t:,} tasks"

    header = ["command", "shape", "procsim wall s", "kernel wall s",
              "procsim/kernel (range)"]
    rows, csv_rows = [], []
    for cmd in LIKE_COMMANDS:
        for shape in ("populate", "sleepers"):
            r = res[shape]
            ps, ks, ratio, _ = ratio_cells(r["sim", cmd], r["kernel", cmd])
            rows.append([f"`{cmd}`", shape, ps, ks, ratio])
            for side in ("sim", "kernel"):
                for i, x in enumerate(r[side, cmd]):
                    csv_rows.append([shape, side, cmd, i, f"{x.wall:.6f}",
                                     f"{x.user:.6f}", f"{x.sys:.6f}"])
    note = ("Shapes, as counted in this run (the kernel's counts include "
            "the machine's own processes and the bench): 'populate' is "
            f"procsim `populate={n}` ({label('populate', 'sim')}) against "
            "one build/bench-sleeper per simulated process with that "
            "process's thread count "
            f"({label('populate', 'kernel')}); 'sleepers' is {n:,} "
            "single-threaded `sleep` processes under one parent on the "
            f"kernel ({label('sleepers', 'kernel')}) against a fresh boot "
            f"plus {n:,} forks of init exec'd as `sleep 3600` in procsim "
            f"({label('sleepers', 'sim')}).  procsim figures go through "
            "procsim-run and include its overhead; the range is the lowest "
            "procsim run over the slowest kernel run to the highest over "
            "the fastest.")
    rep.table(f"readdir, like for like: {n:,} processes, both sides in the "
              f"same shape, warm, median of {runs} runs (min–max), runs "
              f"alternating between the sides", header, rows, note)
    rep.csv("like_for_like.csv", ["shape", "side", "command", "run",
                                  "wall_s", "user_s", "sys_s"], csv_rows)
    return rows


@scenario("readdir-like", "the readdir scenario's like-for-like table alone: "
          "ps aux, ps -ef, ps -eL, pstree -p, top -b -n1 and ls /proc, "
          "procsim against the kernel's /proc, both sides in the populate "
          "shape (sleepers with threads) and in the sleepers shape")
def bench_readdir_like(args):
    n = 1000 if args.quick else 10000
    rep = Report(args, "readdir", md="readdir-like.md")
    like_for_like(args, n, args.runs, rep)
    rep.done()
