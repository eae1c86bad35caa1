"""Scenario watchers: fork+exit+wait loops per second under each task
watcher mechanism (table, chain, direct) and with none, in the core."""

import csv
import io
import os
import statistics
import subprocess

from bench.common import *  # noqa: F401,F403

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
    exe = os.path.join(BUILD, "corebench-watchers")
    if not os.access(exe, os.X_OK):
        raise BenchError(f"no {exe}: build first (tools/build)")
    progress(f"watchers: {samples} samples x {loops} loops x {len(MECHS)} "
             f"mechanisms, interleaved")
    r = subprocess.run([exe, str(samples), str(loops), ",".join(MECHS)],
                       capture_output=True, text=True, timeout=CMD_TIMEOUT,
                       check=False)
    if r.returncode != 0:
        raise BenchError(f"corebench-watchers failed: {r.stderr.strip()}")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
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
    table = markdown_table(header, out_rows)
    print(f"\n### {title}\n\n{table}\n\n{verdict}\n")

    out = outdir_for(args, "watchers")
    with open(os.path.join(out, "watchers.md"), "w") as f:
        f.write(f"### {title}\n\n{table}\n\n{verdict}\n")
    with open(os.path.join(out, "runs.csv"), "w") as f:
        f.write(r.stdout)
    with open(os.path.join(out, "watchers.dat"), "w") as f:
        for i, m in enumerate(MECHS):
            for v in rate[m]:
                f.write(f"{i} {v:.2f}\n")
    gnuplot(f"""set terminal TERMINAL size 800,450 noenhanced
set output 'watchers.png'
set title "fork+exit+wait per second by watcher mechanism ({samples} samples)"
set ylabel 'forks/s'
set xtics ({", ".join(f'"{m}" {i}' for i, m in enumerate(MECHS))})
set xrange [-0.5:{len(MECHS) - 0.5}]
set grid ytics
plot 'watchers.dat' using ($1 + (rand(0) - 0.5) * 0.3):2 with points pt 7 ps 0.5 notitle
""", out)
    progress(f"watchers: wrote {out}/{{watchers.md,runs.csv,watchers.png}}")
