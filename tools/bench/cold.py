"""Scenario cold: issue 16's cold (and warm) goals with the kernel timed in
the same run, on the same population shape, for each transport.

What "cold" means, row by row (each a different first run):
  - procsim, unwarmed: the first run after the mount (-o populate=N,
    warm=off): the kernel has cached nothing of the mount.
  - procsim, after the warm pass: the first run after the mount with
    warm=on, once the daemon's warm pass (fs/warm.c) has finished.
  - procsim, after a ctl change: the first run after `reset` + the same
    `populate` on that warm=off daemon: every process is new.
  - the kernel: the first run on a fresh procfs mount (a new superblock
    since Linux 5.8, so no dentry or inode of it is cached) over /proc in
    a private mount namespace, with the same processes and threads alive:
    one build/bench-sleeper per simulated process with its thread count
    (bench/likeforlike.py's populate shape).
Warm: the second run on the same mount (procsim), on the host's /proc
(kernel).  Each round runs every command on both sides, the side order
flipping each round; a fresh daemon per procsim cold run."""

import os
import time

from bench.common import (PROCSIM_RUN, BenchError, Daemon, Report, Sleepers,
                          fmt_spread, measure, probe, progress, scenario,
                          summarize)
from bench.likeforlike import host_shape, sim_shape, sim_threads
from bench.scale_goals import ratio_goal
from bench.transport import (GOAL_COLD, GOAL_COMMANDS, GOAL_WARM,
                             check_transport, renew_world, transports,
                             uring_for_run)

# The kernel's cold run: a fresh procfs instance over /proc, then CMD.
KERNEL_FRESH = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                'mount -t proc proc /proc && exec "$@"', "sh"]

# (row, sim key, kernel key, goal, what the row's first run is)
ROWS = [("cold, unwarmed", "unwarmed", "cold", GOAL_COLD,
         "first run after the mount, warm=off"),
        ("cold after the warm pass", "warmed", "cold", GOAL_COLD,
         "first run after the mount, warm=on, its pass finished"),
        ("cold after a ctl change", "ctl", "cold", GOAL_COLD,
         "first run after reset + the same populate, warm=off"),
        ("warm", "warm", "warm", GOAL_WARM, "second run on the same mount")]


def warm_state(d):
    """(state, runs) of the stats file's warm line, or (None, 0)."""
    text = probe(["cat", os.path.join(d.mnt, "procsim", "stats")]) or ""
    for line in text.splitlines():
        tok = line.split()
        if tok[:1] == ["warm"] and len(tok) >= 4:
            return tok[1], int(tok[3])
    return None, 0


def wait_warm(d, timeout=900):
    """Seconds until the warm pass finished (idle with a run done)."""
    t0 = time.monotonic()
    while True:
        state, runs = warm_state(d)
        if state == "idle" and runs >= 1:
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise BenchError(f"warm pass not finished after {timeout} s: "
                             f"{state} runs {runs}")
        time.sleep(0.1)


def sim_round(tr, n, cmd):
    """One round of cmd on procsim over tr: {row key: Sample}, plus the
    warm pass's seconds under "pass"."""
    out = {}
    tool = cmd.split()
    with Daemon(f"populate={n},transport={tr},warm=off") as d:
        check_transport(d, tr)
        argv = [PROCSIM_RUN, "-m", d.mnt, "--"] + tool
        out["unwarmed"] = measure(argv)
        out["warm"] = measure(argv)
        renew_world(d, n)
        out["ctl"] = measure(argv)
    with Daemon(f"populate={n},transport={tr},warm=on") as d:
        check_transport(d, tr)
        out["pass"] = wait_warm(d)
        out["warmed"] = measure([PROCSIM_RUN, "-m", d.mnt, "--"] + tool)
    return out


def kernel_round(cmd):
    return {"cold": measure(KERNEL_FRESH + cmd.split()),
            "warm": measure(cmd.split())}


def overheads(runs):
    """Median wall of the wrappers alone: procsim-run (on a small daemon)
    and the kernel's fresh-procfs namespace, each running `true`."""
    with Daemon("populate=10") as d:
        sim = [measure([PROCSIM_RUN, "-m", d.mnt, "--", "true"]).wall
               for _ in range(runs)]
    kern = [measure(KERNEL_FRESH + ["true"]).wall for _ in range(runs)]
    return summarize(sim)[0], summarize(kern)[0]


@scenario("cold", "issue 16's cold goals in one run: ps aux, ps -ef, "
          "top -b -n1, pstree -p cold (unwarmed, after the warm pass, after "
          "a ctl change) and warm on procsim per transport, beside the "
          "kernel's /proc (a fresh procfs mount) with the same processes "
          "and threads, runs alternating")
def bench_cold(args):
    n = 1000 if args.quick else 10000
    runs = args.runs
    with Daemon(f"populate={n}") as d:
        shape_sim = sim_shape(d)
        threads = sim_threads(d)
    ov_sim, ov_kern = overheads(3)
    sim, kern, passes, skipped, measured = {}, {}, {}, {}, []
    with uring_for_run(), Sleepers(0, threads=threads):
        shape_kern = host_shape()
        for cmd in GOAL_COMMANDS:		# warm the host's own /proc
            measure(cmd.split())
        for tr, why in transports():
            if why:
                skipped[tr] = why
                progress(f"cold: transport {tr}: not measured: {why}")
                continue
            measured.append(tr)
            for r in range(runs):
                for cmd in GOAL_COMMANDS:
                    for side in (("kernel", "sim") if r % 2 == 0
                                 else ("sim", "kernel")):
                        got = (sim_round(tr, n, cmd) if side == "sim"
                               else kernel_round(cmd))
                        if side == "sim":
                            passes.setdefault(tr, []).append(got.pop("pass"))
                        into = sim if side == "sim" else kern
                        for k, s in got.items():
                            into.setdefault((tr, cmd, k), []).append(s)
                    progress(f"cold {tr} round {r + 1}/{runs} {cmd}: " +
                             ", ".join(f"{k} {sim[tr, cmd, k][-1].wall:.2f}"
                                       for _, k, _, _, _ in ROWS) +
                             f"; kernel cold {kern[tr, cmd, 'cold'][-1].wall:.2f}"
                             f" warm {kern[tr, cmd, 'warm'][-1].wall:.2f}")
    rep = Report(args, "cold")
    header = ["command", "row", "what the first run is", "procsim s",
              "kernel s", "procsim/kernel (range)", "goal"]
    csv_rows = []
    for tr in measured:
        rows = []
        for cmd in GOAL_COMMANDS:
            for row, sk, kk, goal, what in ROWS:
                sw = [s.wall for s in sim[tr, cmd, sk]]
                kw = [s.wall for s in kern[tr, cmd, kk]]
                ratio, lo, hi, met = ratio_goal(sw, kw, goal)
                rows.append([f"`{cmd}`", row, what,
                             fmt_spread(summarize(sw)),
                             fmt_spread(summarize(kw)) +
                             (" (fresh procfs)" if kk == "cold" else ""),
                             f"**{ratio:.2f}×** ({lo:.2f}–{hi:.2f})",
                             f"≤ {goal}×: {met}"])
                csv_rows += [[tr, cmd, row, "procsim", i, f"{x:.6f}"]
                             for i, x in enumerate(sw)]
                csv_rows += [[tr, cmd, row, "kernel", i, f"{x:.6f}"]
                             for i, x in enumerate(kw)]
        p = summarize(passes[tr])
        rep.table(
            f"cold, transport={tr}: {n:,} processes, same run, {runs} rounds "
            f"alternating sides, medians (min–max); load average at the end "
            f"{os.getloadavg()[0]:.1f}", header, rows,
            note=(f"Shapes: procsim populate={n} ({shape_sim[0]:,} processes, "
                  f"{shape_sim[1]:,} tasks); kernel {len(threads):,} "
                  f"bench-sleepers with their thread counts "
                  f"({shape_kern[0]:,} processes, {shape_kern[1]:,} tasks, "
                  f"the machine's own included).  The kernel's cold run is "
                  f"the first on a fresh procfs mount; its warm run is on "
                  f"the host's /proc.  Wrapper overheads (median of `true`): "
                  f"procsim-run {ov_sim:.3f} s, the kernel's unshare + mount "
                  f"{ov_kern:.3f} s; both are in the figures.  The warm pass "
                  f"took {fmt_spread(p)} s of wall before its cold run.  "
                  f"Range: lowest procsim over slowest kernel to highest "
                  f"over fastest."))
        rep.save()
    if skipped:
        rep.table("cold: transports not measured", ["transport", "why"],
                  [[tr, why] for tr, why in skipped.items()])
    rep.csv("runs.csv", ["transport", "command", "row", "side", "run",
                         "wall_s"], csv_rows)
    rep.done()
