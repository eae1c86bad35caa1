"""Scenario scale: populate time, daemon memory and `ps -e` as the world
grows, for each transport the machine allows, with issue 16's goals.

Sizes: 1k and 10k with --quick, else 1k, 10k, 100k and 1M, or the list in
PROCSIM_BENCH_SCALE_SIZES (e.g. 10000,100000).  Transports: dev, and
uring when the kernel allows it (bench/transport.py's uring_for_run sets
enable_uring for the run and restores it), or the list in
PROCSIM_BENCH_TRANSPORTS (e.g. uring).  ps -e runs --runs times cold and
warm up to 10k processes and PROCSIM_BENCH_SCALE_BIG_RUNS times (default
1) above, and not at all above PROCSIM_BENCH_PS_MAX (default 100000); the
warm runs not above PROCSIM_BENCH_WARM_MAX (default: the same)."""

import os
import statistics
import subprocess

from bench.common import (BUILD, CMD_TIMEOUT, PROCSIM_RUN, Daemon, Plot,
                          Report, Series, measure, progress, scenario)
from bench.scale_goals import PS_MAX, goals
from bench.transport import (check_transport, renew_world, transports,
                             uring_for_run)

PROCSIMCTL = os.path.join(BUILD, "procsimctl")
BIG_RUNS = int(os.environ.get("PROCSIM_BENCH_SCALE_BIG_RUNS", "1"))
WARM_MAX = int(os.environ.get("PROCSIM_BENCH_WARM_MAX", str(PS_MAX)))


def op_delta(before, after):
    """Requests per opcode between two fuse_by_op() readings, busiest first."""
    d = {op: after.get(op, 0) - n for op, n in before.items()}
    return " ".join(f"{op}={n}" for op, n in
                    sorted(d.items(), key=lambda x: -x[1]) if n > 0)


def count_pids(mnt):
    """Numeric entries of /proc as the real ls sees them through procsim-run."""
    out = subprocess.run([PROCSIM_RUN, "-m", mnt, "--", "ls", "/proc"],
                         capture_output=True, text=True, timeout=CMD_TIMEOUT,
                         check=True).stdout
    return sum(1 for name in out.split() if name.isdigit())


def sizes_for(args):
    env = os.environ.get("PROCSIM_BENCH_SCALE_SIZES")
    if env:
        return [int(x) for x in env.split(",")]
    return [1000, 10000] if args.quick else [1000, 10000, 100000, 1000000]


def ps_run(d, tr, n, kind, i):
    """One ps -e through procsim-run: {"wall", "cpu" (the daemon's),
    "ops" (requests per opcode), "sample"}."""
    ps = [PROCSIM_RUN, "-m", d.mnt, "--", "ps", "-e"]
    ops0, cpu0 = d.fuse_by_op(), d.cpu_seconds()
    s = measure(ps, timeout=7200)
    ops1, cpu1 = d.fuse_by_op(), d.cpu_seconds()
    progress(f"scale {tr}: {n}: ps -e {kind} {i}: {s.wall:.2f} s, "
             f"daemon CPU {cpu1 - cpu0:.2f} s")
    return {"wall": s.wall, "cpu": cpu1 - cpu0, "ops": op_delta(ops0, ops1),
            "sample": s}


def one_size(tr, n, runs):
    """Populate n on a fresh daemon over tr (warm=off), then ps -e: `runs`
    cold runs (the first after the mount's populate, each later one after
    reset + the same populate), then `runs` warm ones."""
    progress(f"scale {tr}: {n} processes, {runs} run(s) each")
    with Daemon(f"pid_max=4194304,transport={tr}") as d:
        check_transport(d, tr)
        rss0 = d.rss_bytes()
        pop = measure([PROCSIMCTL, "-m", d.mnt, "populate", str(n)],
                      timeout=3600)
        rss = d.rss_bytes()
        r = {"populate": pop.wall, "rss": rss, "per_proc": (rss - rss0) / n,
             "procs": d.stats().values.get("processes"),
             "listed": count_pids(d.mnt)}
        progress(f"scale {tr}: {n}: populate {pop.wall:.2f} s, daemon RSS "
                 f"{rss / 2**20:.0f} MiB, {r['per_proc']:.0f} bytes/process, "
                 f"ls /proc {r['listed']:,} of {r['procs']:,}")
        if n <= PS_MAX:
            r["cold"] = []
            for i in range(runs):
                if i:
                    renew_world(d, n)
                r["cold"].append(ps_run(d, tr, n, "cold", i + 1))
            if n <= WARM_MAX:
                r["warm"] = [ps_run(d, tr, n, "warm", i + 1)
                             for i in range(runs)]
    return r


def spread(runs, field):
    xs = [x[field] for x in runs]
    m = statistics.median(xs)
    return f"{m:.2f}" if len(xs) == 1 else f"{m:.2f} ({min(xs):.2f}–{max(xs):.2f})"


@scenario("scale", "populate time, daemon RSS and bytes per process, ls /proc "
          "and ps -e (cold, then warm) for 1k, 10k, 100k and 1M processes, "
          "per transport, with issue 16's scale goals")
def bench_scale(args):
    sizes = sizes_for(args)
    only = os.environ.get("PROCSIM_BENCH_TRANSPORTS")
    rep = Report(args, "scale")
    csv_rows, plots, skipped = [], [], {}
    with uring_for_run():
        for tr, why in transports():
            if only and tr not in only.split(","):
                continue
            if why:
                skipped[tr] = why
                progress(f"scale: transport {tr}: not measured: {why}")
                continue
            res = {}
            for n in sizes:
                res[n] = one_size(tr, n, args.runs if n <= 10000 else BIG_RUNS)
            report_transport(rep, tr, res, args.runs, csv_rows, plots)
            rep.save()
    if skipped:
        rep.table("scale: transports not measured", ["transport", "why"],
                  [[tr, why] for tr, why in skipped.items()])
    rep.csv("scale.csv",
            ["transport", "processes", "populate_s", "rss_bytes",
             "bytes_per_process", "listed", "expected", "ps_run", "run",
             "ps_wall_s", "ps_user_s", "ps_sys_s", "daemon_cpu_s",
             "fuse_requests"], csv_rows)
    if plots:
        rep.plot(Plot("scale", "procsim at scale (medians)",
                      "simulated processes", "seconds", plots, log="xy"))
    rep.done("\nFUSE requests per run:\n\n" + "".join(
        f"- {r[0]}, {r[1]:,} processes, ps -e {r[7]} {r[8]}: {r[13]}\n"
        for r in csv_rows))


def report_transport(rep, tr, res, runs, csv_rows, plots):
    """Add one transport's table and goals to rep; its CSV rows and plot
    series to csv_rows and plots."""
    rows = []
    for n, r in res.items():
        rows.append([f"{n:,}", f"{r['populate']:.2f}",
                     f"{r['rss'] / 2**20:.0f}", f"{r['per_proc']:.0f}",
                     f"{r['listed']:,} / {r['procs']:,}" +
                     ("" if r['listed'] == r['procs'] else " (WRONG)"),
                     str(len(r.get("cold", []))),
                     *[spread(r[k], f) if k in r else "skipped"
                       for k in ("cold", "warm") for f in ("wall", "cpu")]])
        for kind in ("cold", "warm"):
            for i, x in enumerate(r.get(kind, [])):
                s = x["sample"]
                csv_rows.append([tr, n, f"{r['populate']:.4f}", r["rss"],
                                 f"{r['per_proc']:.1f}", r["listed"],
                                 r["procs"], kind, i + 1, f"{s.wall:.4f}",
                                 f"{s.user:.4f}", f"{s.sys:.4f}",
                                 f"{x['cpu']:.3f}", x["ops"]])
    rep.table(f"scale, transport={tr}: ps -e through procsim-run, warm=off; "
              f"medians (min–max) of the runs counted; cold = the first ps -e "
              f"after the populate, then after each reset + the same "
              f"populate; RSS after populate; bytes/process include threads "
              f"and VMAs; load average at the end {os.getloadavg()[0]:.1f}",
              ["processes", "populate s", "daemon RSS MiB", "bytes/process",
               "ls /proc pids / expected", "runs", "ps -e cold s",
               "daemon CPU s", "ps -e warm s", "daemon CPU s"], rows)
    rep.table(f"scale, transport={tr}: issue 16's goals", *goals(res))
    med = statistics.median
    plots += [Series(f"{tr} populate (s)",
                     [(n, r["populate"]) for n, r in res.items()]),
              Series(f"{tr} ps -e cold (s)",
                     [(n, med([x["wall"] for x in r["cold"]]))
                      for n, r in res.items() if r.get("cold")]),
              Series(f"{tr} ps -e warm (s)",
                     [(n, med([x["wall"] for x in r["warm"]]))
                      for n, r in res.items() if r.get("warm")])]
