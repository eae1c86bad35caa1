"""Scenario scale: populate time, daemon memory and `ps -e` as the world grows."""

import os
import subprocess

from bench.common import *  # noqa: F401,F403
from bench.transport import check_transport, scale_goals, transports

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


def stat_value(mnt, key):
    with open(os.path.join(mnt, "procsim", "stats")) as f:
        for line in f:
            tok = line.split()
            if len(tok) == 2 and tok[0] == key:
                return int(tok[1])
    return None


@scenario("scale", "populate time, daemon RSS and bytes per process, ls /proc "
          "and ps -e (cold, then warm) for 1k, 10k, 100k and 1M processes")
def bench_scale(args):
    sizes = [1000, 10000] if args.quick else [1000, 10000, 100000, 1000000]
    rows, csv_rows, goal_rows = [], [], []
    trs = [tr for tr, why in transports() if not why]
    for n, tr in ((n, tr) for n in sizes for tr in trs):
        progress(f"scale: {n} processes, transport={tr}")
        with Daemon(f"pid_max=4194304,transport={tr}") as d:
            check_transport(d, tr)
            rss0 = d.rss_bytes()
            pop = measure([PROCSIMCTL, "-m", d.mnt, "populate", str(n)],
                          timeout=3600)
            rss = d.rss_bytes()
            procs = stat_value(d.mnt, "processes")
            listed = count_pids(d.mnt)
            ps = [PROCSIM_RUN, "-m", d.mnt, "--", "ps", "-e"]
            runs = []
            for label in ("cold", "warm"):
                ops0, cpu0 = d.fuse_by_op(), d.cpu_seconds()
                s = measure(ps, timeout=7200)
                ops1, cpu1 = d.fuse_by_op(), d.cpu_seconds()
                runs.append((label, s, cpu1 - cpu0, op_delta(ops0, ops1)))
                progress(f"scale: {n}: ps -e {label}: {s.wall:.2f} s, "
                         f"daemon CPU {cpu1 - cpu0:.2f} s")
        per_proc = (rss - rss0) / n
        goal_rows.append({"transport": tr, "n": n, "populate_s": pop.wall,
                          "rss": rss, "cold_s": runs[0][1].wall,
                          "warm_s": runs[1][1].wall})
        rows.append([f"{n:,}", tr, f"{pop.wall:.2f}", f"{rss / 2**20:.0f}",
                     f"{per_proc:.0f}",
                     f"{listed:,} / {procs:,}" + ("" if listed == procs else " (WRONG)"),
                     f"{runs[0][1].wall:.2f}", f"{runs[0][2]:.2f}",
                     f"{runs[1][1].wall:.2f}", f"{runs[1][2]:.2f}"])
        for label, s, cpu, ops in runs:
            csv_rows.append([n, tr, f"{pop.wall:.4f}", rss, f"{per_proc:.1f}",
                             listed, procs, label, f"{s.wall:.4f}",
                             f"{s.user:.4f}", f"{s.sys:.4f}", f"{cpu:.3f}", ops])
    header = ["processes", "transport", "populate s", "daemon RSS MiB",
              "bytes/process", "ls /proc pids / expected", "ps -e cold s",
              "daemon CPU s", "ps -e warm s", "daemon CPU s"]
    table = markdown_table(header, rows)
    title = ("scale: one run per size (ps -e through procsim-run; RSS after "
             "populate; bytes/process include threads and the VMAs)")
    goals = scale_goals(goal_rows)
    skipped = "".join(f"\n\ntransport {tr}: not measured here: {why}"
                      for tr, why in transports() if why)
    print(f"\n### {title}\n\n{table}\n\n### scale: issue 16's goals\n\n"
          f"{goals}{skipped}\n")
    out = outdir_for(args, "scale")
    with open(os.path.join(out, "scale.md"), "w") as f:
        f.write(f"### {title}\n\n{table}\n\n### scale: issue 16's goals\n\n"
                f"{goals}{skipped}\n\nFUSE requests per run:\n\n")
        for r in csv_rows:
            f.write(f"- {r[0]:,} processes, {r[1]}, ps -e {r[7]}: {r[12]}\n")
    write_csv(os.path.join(out, "scale.csv"),
              ["processes", "transport", "populate_s", "rss_bytes", "bytes_per_process",
               "listed", "expected", "ps_run", "ps_wall_s", "ps_user_s",
               "ps_sys_s", "daemon_cpu_s", "fuse_requests"], csv_rows)
    with open(os.path.join(out, "scale.dat"), "w") as f:
        for i in range(0, len(csv_rows), 2):
            c, w = csv_rows[i], csv_rows[i + 1]
            if c[1] == "dev":	# the plot: the default transport
                f.write(f"{c[0]} {c[2]} {int(c[3]) / 2**20:.1f} {c[8]} {w[8]}\n")
    gnuplot("""set terminal TERMINAL size 900,500 noenhanced
set output 'scale.png'
set title 'procsim at scale'
set logscale xy
set xlabel 'simulated processes'
set ylabel 'seconds'
set y2label 'daemon RSS (MiB)'
set y2tics
set logscale y2
set key top left
set grid
plot 'scale.dat' using 1:2 with linespoints title 'populate (s)', \\
     '' using 1:4 with linespoints title 'ps -e cold (s)', \\
     '' using 1:5 with linespoints title 'ps -e warm (s)', \\
     '' using 1:3 axes x1y2 with linespoints title 'RSS (MiB, right)'
""", out)
    progress(f"scale: wrote {out}/{{scale.md,scale.csv,scale.png}}")
