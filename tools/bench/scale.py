"""Scenario scale: populate time, daemon memory and `ps -e` as the world grows."""

import os
import subprocess

from bench.common import (BUILD, CMD_TIMEOUT, PROCSIM_RUN, Daemon, Plot,
                          Report, Series, measure, progress, scenario)
from bench.scale_goals import PS_MAX, goals

PROCSIMCTL = os.path.join(BUILD, "procsimctl")


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


@scenario("scale", "populate time, daemon RSS and bytes per process, ls /proc "
          "and ps -e (cold, then warm) for 1k, 10k, 100k and 1M processes")
def bench_scale(args):
    sizes = [1000, 10000] if args.quick else [1000, 10000, 100000, 1000000]
    rows, csv_rows = [], []
    for n in sizes:
        progress(f"scale: {n} processes")
        with Daemon("pid_max=4194304") as d:
            rss0 = d.rss_bytes()
            pop = measure([PROCSIMCTL, "-m", d.mnt, "populate", str(n)],
                          timeout=3600)
            rss = d.rss_bytes()
            procs = d.stats().values.get("processes")
            listed = count_pids(d.mnt)
            ps = [PROCSIM_RUN, "-m", d.mnt, "--", "ps", "-e"]
            runs = []
            for label in ("cold", "warm") if n <= PS_MAX else ():
                ops0, cpu0 = d.fuse_by_op(), d.cpu_seconds()
                s = measure(ps, timeout=7200)
                ops1, cpu1 = d.fuse_by_op(), d.cpu_seconds()
                runs.append((label, s, cpu1 - cpu0, op_delta(ops0, ops1)))
                progress(f"scale: {n}: ps -e {label}: {s.wall:.2f} s, "
                         f"daemon CPU {cpu1 - cpu0:.2f} s")
        per_proc = (rss - rss0) / n
        if not runs:	# ps -e skipped: too long at this size (PS_MAX)
            runs = [(label, None, None, "") for label in ("cold", "warm")]
        rows.append([f"{n:,}", f"{pop.wall:.2f}", f"{rss / 2**20:.0f}",
                     f"{per_proc:.0f}",
                     f"{listed:,} / {procs:,}" + ("" if listed == procs else " (WRONG)"),
                     *[x for _, s, cpu, _ in runs for x in
                       (("-", "-") if s is None else (f"{s.wall:.2f}", f"{cpu:.2f}"))]])
        for label, s, cpu, ops in runs:
            csv_rows.append([n, f"{pop.wall:.4f}", rss, f"{per_proc:.1f}",
                             listed, procs, label, *(("",) * 4 if s is None else
                             (f"{s.wall:.4f}", f"{s.user:.4f}", f"{s.sys:.4f}",
                              f"{cpu:.3f}")), ops])
    header = ["processes", "populate s", "daemon RSS MiB",
              "bytes/process", "ls /proc pids / expected", "ps -e cold s",
              "daemon CPU s", "ps -e warm s", "daemon CPU s"]
    title = ("scale: one run per size (ps -e through procsim-run; RSS after "
             "populate; bytes/process include threads and the VMAs)")
    rep = Report(args, "scale")
    rep.table(title, header, rows)
    rep.table("scale: issue 16's goals", *goals(csv_rows))
    rep.csv("scale.csv",
            ["processes", "populate_s", "rss_bytes", "bytes_per_process",
             "listed", "expected", "ps_run", "ps_wall_s", "ps_user_s",
             "ps_sys_s", "daemon_cpu_s", "fuse_requests"], csv_rows)
    cold, warm = csv_rows[0::2], csv_rows[1::2]
    rep.plot(Plot("scale", "procsim at scale", "simulated processes",
                  "seconds", [
                      Series("populate (s)", [(c[0], float(c[1])) for c in cold]),
                      Series("ps -e cold (s)", [(c[0], float(c[7])) for c in cold if c[7]]),
                      Series("ps -e warm (s)", [(w[0], float(w[7])) for w in warm if w[7]]),
                      Series("RSS (MiB, right)", [(c[0], int(c[2]) / 2**20)
                                                  for c in cold], axis="x1y2")],
                  log="xy", y2label="daemon RSS (MiB)"))
    rep.done("\nFUSE requests per run:\n\n" + "".join(
        f"- {r[0]:,} processes, ps -e {r[6]}: {r[11]}\n" for r in csv_rows))
