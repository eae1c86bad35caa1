"""Scenario watchers: fork+exit+wait loops per second under each task
watcher mechanism (table, chain, direct) and with none, in the core."""

import statistics

from bench.common import (CMD_TIMEOUT, Plot, Report, Series, corebench,
                          progress, scenario)

# ANCHORS.md section 5 (seed 002): forks per second, mean of 100 samples.
SEED_BASELINE = 6925.16
SEED_SERIES = 7109.52
MECHS = ["table", "chain", "direct", "none"]


def _paired(by_sample, a, b):
    """Per-sample ratios a/b: both ran back to back in the same sample."""
    return [s[a] / s[b] for s in by_sample.values() if a in s and b in s]


@scenario("watchers", "task watchers: fork+exit+wait loops per second "
          "through the core (unixbench spawn), with table, chain, direct "
          "and none, interleaved; the seed's published figures beside")
def bench_watchers(args):
    samples = 30 if args.quick else max(50, args.runs * 10)
    loops = 10000 if args.quick else 100000
    progress(f"watchers: {samples} samples x {loops} loops x {len(MECHS)} "
             f"mechanisms, interleaved")
    core = corebench("watchers", samples, loops, ",".join(MECHS),
                     timeout=CMD_TIMEOUT)
    rows = core.dicts()
    rate = {m: [] for m in MECHS}
    by_sample = {}
    for row in rows:
        v = float(row["forks_per_cpu_s"])
        rate[row["mechanism"]].append(v)
        by_sample.setdefault(row["sample"], {})[row["mechanism"]] = v

    wall = {m: statistics.median(float(x["forks_per_s"]) for x in rows
                                 if x["mechanism"] == m) for m in MECHS}
    header = ["mechanism", "samples", "mean forks/CPU-s", "median forks/CPU-s",
              "stdev", "min–max", "median vs direct (paired)",
              "median vs none (paired)", "median forks/s (wall)"]
    out_rows = []
    for m in MECHS:
        v = rate[m]
        vd = statistics.median(_paired(by_sample, m, "direct"))
        vn = statistics.median(_paired(by_sample, m, "none"))
        out_rows.append([m, len(v), f"{statistics.mean(v):,.0f}",
                         f"{statistics.median(v):,.0f}",
                         f"{statistics.stdev(v):,.0f}",
                         f"{min(v):,.0f}–{max(v):,.0f}",
                         f"{(vd - 1) * 100:+.2f}%", f"{(vn - 1) * 100:+.2f}%",
                         f"{wall[m]:,.0f}"])
    out_rows.append(["published baseline (seed 002, no watchers)", 100,
                     f"{SEED_BASELINE:,.2f}", "—", "—", "—", "—", "—", "—"])
    out_rows.append(["published whole series (seed 002, table)", 100,
                     f"{SEED_SERIES:,.2f}", "—", "—", "—", "—",
                     f"{(SEED_SERIES / SEED_BASELINE - 1) * 100:+.2f}% of means "
                     "(published: +2.6%)", "—"])
    t_d = statistics.median(_paired(by_sample, "table", "direct"))
    t_c = statistics.median(_paired(by_sample, "table", "chain"))
    within = abs(t_d - 1) <= 0.01
    faster = t_c > 1
    verdict = (f"goal table within 1% of direct: {'met' if within else 'NOT met'} "
               f"({(t_d - 1) * 100:+.2f}%); table faster than chain: "
               f"{'yes' if faster else 'no'} ({(t_c - 1) * 100:+.2f}%, "
               f"median of paired per-sample ratios)")
    title = (f"watchers: fork+exit+wait loops/s through the core, {samples} "
             f"samples of {loops} loops per mechanism, interleaved; rates "
             f"per CPU-second of the benchmark thread (wall: last column); "
             f"published rows are the seed's, mean of 100 samples on 2006 "
             f"hardware through real fork()")
    rep = Report(args, "watchers")
    rep.table(title, header, out_rows, verdict)
    rep.raw("runs.csv", core.text)
    rep.plot(Plot("watchers", f"fork+exit+wait per second by watcher "
                  f"mechanism ({samples} samples)", None, "forks/s",
                  [Series(m, [(i, v) for v in rate[m]])
                   for i, m in enumerate(MECHS)], kind="points",
                  size=(800, 450)))
    rep.done()
