"""Scenario threads: the tools that read every thread's files (ps -eL,
ps -eLf, top -H, and pstree -p, which lists every task/), warm and cold,
over procsim and over the kernel's /proc in the same shape.

The shape is likeforlike's populate shape: procsim `populate=N` (processes
with threads); the kernel side runs one build/bench-sleeper per simulated
process with that process's thread count.  Warm runs alternate between the
sides (the order rotates each run); cold runs (a reset and the same seeded
populate before each) are compared with the kernel's warm median, as the
readdir scenario does, since the kernel's /proc has no cold.

PROCSIM_BENCH_BASE=/path/to/an/older/procsim adds that build as a third
side, run in the same sitting, alternating with the others: before and
after a change, both against the same kernel runs.
"""

import os

from bench.common import (BUILD, PROCSIM_RUN, Daemon, Report, Sleepers,
                          fmt_spread, measure, progress, scenario, summarize)
from bench.likeforlike import sim_threads

THREAD_COMMANDS = ["ps -eL", "ps -eLf", "top -H -b -n1", "pstree -p"]


def builds():
    """[(label, procsim binary)]: this tree's, then PROCSIM_BENCH_BASE's."""
    out = [("new", os.path.join(BUILD, "procsim"))]
    base = os.environ.get("PROCSIM_BENCH_BASE")
    if base:
        out.append(("base", base))
    return out


def sim_run(d, cmd):
    """One run through procsim-run: (sample, daemon CPU s, {op: count})."""
    argv = [PROCSIM_RUN, "-m", d.mnt, "--"] + cmd.split()
    s0, c0 = d.stats(), d.cpu_ns()
    s = measure(argv)
    c1, s1 = d.cpu_ns(), d.stats()
    return s, (c1 - c0) / 1e9, (s1 - s0).by_op()


def renew_world(d, n):
    """Every process changes: a reset and the same seeded populate again."""
    d.ctl("reset")
    d.ctl(f"populate {n}")


def fmt_ops(ops):
    """The opcodes a run sent, most first."""
    return ", ".join(f"{op} {c:,}" for op, c in
                     sorted(ops.items(), key=lambda x: -x[1]) if c > 0) or "none"


def median_run(runs):
    """The run of median wall time (its requests and CPU are shown)."""
    return sorted(runs, key=lambda x: x[0].wall)[len(runs) // 2]


@scenario("threads", "ps -eL, ps -eLf, top -H -b -n1 and pstree -p, warm and "
          "cold, procsim populate=10000 (processes with threads) against "
          "the kernel's /proc with sleepers in the same shape; "
          "PROCSIM_BENCH_BASE=old/procsim adds an older build side by side")
def bench_threads(args):
    n = 1000 if args.quick else 10000
    runs = args.runs
    sides = builds()
    daemons = {}
    warm, cold, kern = {}, {}, {}
    try:
        for label, exe in sides:
            d = Daemon(f"populate={n}")
            d.exe = exe
            daemons[label] = d.__enter__()
        d0 = daemons["new"]
        threads = sim_threads(d0)
        shape = d0.stats().values
        for label, d in daemons.items():
            if sim_threads(d) != threads:
                progress(f"threads: {label}'s populate differs in shape")
        progress(f"threads: kernel side, {len(threads)} sleepers with "
                 f"{sum(threads)} extra threads")
        with Sleepers(0, threads=threads):
            order = ["kernel"] + list(daemons)
            for cmd in THREAD_COMMANDS:
                measure(cmd.split())				# warm-ups
                for label, d in daemons.items():
                    sim_run(d, cmd)
                for r in range(runs):
                    rot = order[r % len(order):] + order[:r % len(order)]
                    for side in rot:
                        if side == "kernel":
                            kern.setdefault(cmd, []).append(measure(cmd.split()))
                        else:
                            warm.setdefault((side, cmd), []).append(
                                sim_run(daemons[side], cmd))
                progress(f"threads warm {cmd}: kernel "
                         f"{summarize([s.wall for s in kern[cmd]])[0]:.3f} s, " +
                         ", ".join(f"{lb} {summarize([x[0].wall for x in warm[lb, cmd]])[0]:.3f} s"
                                   for lb in daemons))
        # Cold needs no kernel side: it is compared with the warm kernel.
        for cmd in THREAD_COMMANDS:
            for r in range(runs):
                labels = list(daemons)
                for side in (labels if r % 2 == 0 else labels[::-1]):
                    renew_world(daemons[side], n)
                    cold.setdefault((side, cmd), []).append(
                        sim_run(daemons[side], cmd))
            progress(f"threads cold {cmd}: " + ", ".join(
                f"{lb} {summarize([x[0].wall for x in cold[lb, cmd]])[0]:.3f} s"
                for lb in daemons))
    finally:
        for d in daemons.values():
            d.__exit__(None, None, None)

    rep = Report(args, "threads")
    header = ["command", "kernel wall s"]
    for lb in daemons:
        header += [f"{lb} wall s", f"{lb}/kernel", f"{lb} daemon CPU s",
                   f"{lb} FUSE requests (median run)"]
    csv_rows = []
    for what, res in (("warm", warm), ("cold", cold)):
        rows = []
        for cmd in THREAD_COMMANDS:
            kw = summarize([s.wall for s in kern[cmd]])
            row = [f"`{cmd}`", fmt_spread(kw)]
            for lb in daemons:
                rr = res[lb, cmd]
                sw = summarize([x[0].wall for x in rr])
                cpu = summarize([x[1] for x in rr])
                row += [fmt_spread(sw), f"**{sw[0] / kw[0]:.2f}×**",
                        f"{cpu[0]:.3f}", fmt_ops(median_run(rr)[2])]
                for i, x in enumerate(rr):
                    csv_rows.append([what, lb, cmd, i, f"{x[0].wall:.6f}",
                                     f"{x[1]:.6f}", sum(x[2].values())])
            rows.append(row)
            if what == "warm":
                for i, s in enumerate(kern[cmd]):
                    csv_rows.append([what, "kernel", cmd, i, f"{s.wall:.6f}",
                                     "", ""])
        rep.table(f"threads, {what}: procsim populate={n} "
                  f"({shape.get('processes', 0):,} processes, "
                  f"{shape.get('threads', 0):,} threads) against {len(threads):,}"
                  f" kernel sleepers with {sum(threads):,} extra threads; "
                  f"median of {runs} runs (min–max)", header, rows,
                  "Warm runs alternate between the sides; a cold run follows "
                  "a reset and the same seeded populate, and its ratio is to "
                  "the kernel's warm median.  procsim figures go through "
                  "procsim-run and include its overhead."
                  + (" 'base' is PROCSIM_BENCH_BASE="
                     + os.environ["PROCSIM_BENCH_BASE"] + "."
                     if "base" in daemons else ""))
    rep.csv("threads.csv", ["temperature", "side", "command", "run",
                            "wall_s", "daemon_cpu_s", "fuse_requests"],
            csv_rows)
    rep.done()
