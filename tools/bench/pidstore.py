"""Scenarios pidstore-core and pidstore-proc: the pid store backends in the
core (corebench-pidstore, no FUSE) and through the real tools."""

import csv
import io
import os
import subprocess

from bench.common import *  # noqa: F401,F403

BACKENDS = ["idr", "bitmap", "xarray", "xarray-sharded", "sparse", "judy"]

# ANCHORS.md section 1: commit 95846ecf9dac5089, 10,000 processes, seconds.
PUBLISHED = {  # command: {(backend, measure): seconds}
    "ps aux": {("idr", "real"): 1.479, ("bitmap", "real"): 2.319,
               ("idr", "sys"): 0.289, ("bitmap", "sys"): 0.516},
    "pstree -p": {("idr", "real"): 1.024, ("bitmap", "real"): 1.794,
                  ("idr", "sys"): 0.184, ("bitmap", "sys"): 0.264},
    "ls /proc": {("idr", "real"): 0.059, ("bitmap", "real"): 0.074,
                 ("idr", "sys"): 0.016, ("bitmap", "sys"): 0.016},
}
PROC_COMMANDS = ["ps aux", "pstree -p", "ls /proc"]
# With 100,000 threads `pstree -p` reads every thread's files and runs past
# CMD_TIMEOUT (300 s) through FUSE; -T hides threads, so pstree reads what
# it reads for processes alone, over a /proc whose readdir skips threads.
THREADED_COMMANDS = ["ps aux", "pstree -pT", "ls /proc"]
PID_MAX_LIMIT = 4194304


# ---------------------------------------------------------------- core

def run_corebench(args):
    exe = os.path.join(BUILD, "corebench-pidstore")
    if not os.access(exe, os.X_OK):
        raise BenchError(f"no {exe}: run tools/build first")
    argv = [exe, "--runs", str(min(args.runs, 16))]
    if args.quick:
        argv.append("--quick")
    progress(f"pidstore-core: {' '.join(argv)}")
    r = subprocess.run(argv, capture_output=True, text=True, timeout=1800,
                       check=False)
    if r.returncode != 0:
        raise BenchError(f"{exe}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout, list(csv.DictReader(io.StringIO(r.stdout)))


def fmt_num(v, digits=1):
    if v is None:
        return "—"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    return f"{v:.{digits}f}"


@scenario("pidstore-core", "pid store backends in the core at pid_max "
          "4194304: alloc+free, lookup, in-order walks, bytes per pid at "
          "10k/100k/1M live pids; 1 vs 2 thread alloc/free and 2 readers "
          "with a writer under the one rwlock")
def bench_pidstore_core(args):
    text, rows = run_corebench(args)
    val = {(r["backend"], r["metric"], int(r["live"])): float(r["value"])
           for r in rows}
    backends = [b for b in BACKENDS if any(k[0] == b for k in val)]
    lives = sorted({k[2] for k in val if k[1] == "alloc_free_ns"})

    header = ["backend", "live pids", "alloc+free ns/op", "lookup ns/op",
              "walk all ms", "walk leaders ms (1 in 10)", "bytes/live pid"]
    table1 = []
    for b in backends:
        for n in lives:
            g = lambda m: val.get((b, m, n))  # noqa: E731
            table1.append([b, f"{n:,}", fmt_num(g("alloc_free_ns")),
                           fmt_num(g("lookup_ns")),
                           fmt_num(g("iterate_ms"), 3),
                           fmt_num(g("iterate_leaders_ms"), 3),
                           fmt_num(g("bytes_per_pid"))])
    header2 = ["backend", "alloc+free/s 1 thread", "2 threads", "2 / 1",
               "lookups/s 2 readers", "with 1 writer",
               "writer alloc+free/s meanwhile"]
    table2 = []
    for b in backends:
        g = lambda m: next((v for k, v in val.items()  # noqa: E731
                            if k[0] == b and k[1] == m), None)
        one, two = g("alloc_free_1thread"), g("alloc_free_2threads")
        table2.append([b, fmt_num(one), fmt_num(two),
                       f"{two / one:.2f}×" if one and two else "—",
                       fmt_num(g("lookup_2readers")),
                       fmt_num(g("lookup_2readers_1writer")),
                       fmt_num(g("writer_alloc_free_vs_2readers"))])
    runs = min(args.runs, 16)
    title1 = (f"pidstore-core: pid_max 4194304, median of {runs} runs "
              "(steady state: allocate one, free the oldest)")
    title2 = ("pidstore-core: threads under the one rwlock, 10,000 live pids,"
              f" median of {runs} runs")
    md = (f"### {title1}\n\n{markdown_table(header, table1)}\n\n"
          f"### {title2}\n\n{markdown_table(header2, table2)}\n")
    print("\n" + md)
    out = outdir_for(args, "pidstore-core")
    with open(os.path.join(out, "pidstore-core.md"), "w") as f:
        f.write(md)
    with open(os.path.join(out, "corebench.csv"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "alloc.dat"), "w") as f:
        for b in backends:
            f.write(f'"{b}" ' + " ".join(
                f"{val.get((b, 'alloc_free_ns', n), 0):.3f}" for n in lives)
                + "\n")
    cols = ", ".join(
        f"'' using {i + 2} title '{n:,} live'" if i else
        f"'alloc.dat' using 2:xtic(1) title '{n:,} live'"
        for i, n in enumerate(lives))
    gnuplot(f"""set terminal TERMINAL size 900,500 noenhanced
set output 'pidstore-core.png'
set title "alloc+free ns/op by backend and live pids (pid_max 4194304)"
set ylabel 'ns per alloc+free'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.6 border -1
set key top left
set grid ytics
plot {cols}
""", out)
    progress(f"pidstore-core: wrote {out}/{{pidstore-core.md,corebench.csv,"
             f"pidstore-core.png}}")


# ---------------------------------------------------------------- proc

def ctl_session(mnt, lines):
    """Write many ctl lines through one open (one procsimctl-like session)
    and return the reply lines."""
    ctl = os.path.join(mnt, "procsim", "ctl")
    fd = os.open(ctl, os.O_RDWR)
    err = None
    try:
        for i in range(0, len(lines), 1000):
            try:
                os.write(fd, "".join(l + "\n" for l in lines[i:i + 1000])
                         .encode())
            except OSError as e:  # the reply says which line and why
                err = e
                break
        chunks = []
        while True:
            c = os.read(fd, 1 << 20)
            if not c:
                break
            chunks.append(c)
    finally:
        os.close(fd)
    reply = b"".join(chunks).decode().splitlines()
    bad = [r for r in reply if r.startswith("E")]
    if bad or err:
        raise BenchError(f"ctl: {bad[0] if bad else err}")
    return reply


def user_processes(mnt):
    """Pids of the simulated user processes (not kthreadd or its threads)."""
    out = subprocess.run([PROCSIM_RUN, "-m", mnt, "--", "ps", "-e", "-o",
                          "pid=,ppid="], capture_output=True, text=True,
                         timeout=CMD_TIMEOUT, check=True).stdout
    pids = []
    for line in out.splitlines():
        pid, ppid = (int(x) for x in line.split())
        if pid > 2 and ppid != 2:
            pids.append(pid)
    return pids


def daemon_cpu(d):
    """The daemon's user+sys CPU seconds so far (the host's /proc)."""
    with open(f"/proc/{d.proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_backends(d, label, runs, commands):
    """{(command, backend): [samples]} on the very same population, the
    store switched live with `pidstore NAME` before every run.  Backends
    take turns within each round, so drift hits them all alike; round 0 is
    the warm-up.  Each sample's .fuse holds the daemon's CPU seconds."""
    res = {}
    for cmd in commands:
        argv = [PROCSIM_RUN, "-m", d.mnt, "--"] + cmd.split()
        for r in range(runs + 1):
            for b in BACKENDS:
                ctl_session(d.mnt, [f"pidstore {b}"])
                c0 = daemon_cpu(d)
                s = measure(argv)
                s.fuse = daemon_cpu(d) - c0
                if r:
                    res.setdefault((cmd, b), []).append(s)
            progress(f"{label} {cmd}: round {r}/{runs}")
    ctl_session(d.mnt, ["pidstore idr"])
    return res


def proc_table(res, with_published, commands):
    header = ["test", ""] + [f"`{b}`" for b in BACKENDS]
    if with_published:
        header += ["published IDR", "published bitmap"]
    rows = []
    for cmd in commands:
        for m in ("real", "user", "sys", "daemon cpu"):
            field = {"real": "wall", "daemon cpu": "fuse"}.get(m, m)
            meds = {b: summarize([getattr(s, field) for s in res[cmd, b]])[0]
                    for b in BACKENDS}
            row = [f"`{cmd}`" if m == "real" else "", m]
            row += [f"{meds[b]:.3f} ({meds[b] / meds['idr']:.2f})"
                    if meds["idr"] else f"{meds[b]:.3f}" for b in BACKENDS]
            if with_published:
                pub = PUBLISHED.get(cmd, {})
                row += [f"{pub[b, m]:.3f}" if (b, m) in pub else "—"
                        for b in ("idr", "bitmap")]
            rows.append(row)
    return header, rows


@scenario("pidstore-proc", "ps aux, pstree -p and ls /proc per pid store "
          "backend on one population (populate=10000, switched live), then "
          "again with 100,000 threads added; beside commit 95846ecf's table")
def bench_pidstore_proc(args):
    n = 500 if args.quick else 10000
    nthreads = 2000 if args.quick else 100000
    runs = args.runs
    out = outdir_for(args, "pidstore-proc")
    md, csv_rows = [], []

    def report(label, res, pub, commands):
        """Print and (re)write the tables so far: a long run that fails in
        its second half keeps its first."""
        header, rows = proc_table(res, pub, commands)
        title = (f"pidstore-proc: {label}, seconds, median of {runs} runs "
                 "through procsim-run (ratio to idr); real/user/sys of the "
                 "tool, daemon cpu = the procsim daemon's user+sys; one "
                 "population, backend switched live before every run"
                 + ("; published: 95846ecf, real kernel, 10,000 processes"
                    if pub else ""))
        md.append(f"### {title}\n\n{markdown_table(header, rows)}\n")
        for (cmd, b), samples in res.items():
            for i, s in enumerate(samples):
                csv_rows.append([label, cmd, b, i + 1, f"{s.wall:.6f}",
                                 f"{s.user:.6f}", f"{s.sys:.6f}",
                                 f"{s.fuse:.3f}"])
        print("\n" + md[-1], flush=True)
        with open(os.path.join(out, "pidstore-proc.md"), "w") as f:
            f.write("\n".join(md))
        write_csv(os.path.join(out, "runs.csv"),
                  ["population", "command", "backend", "run", "wall_s",
                   "user_s", "sys_s", "daemon_cpu_s"], csv_rows)

    # pid_max 4194304: room for the threads, and today's usual setting.
    with Daemon(f"populate={n},pid_max={PID_MAX_LIMIT}") as d:
        progress(f"pidstore-proc: {n} processes")
        report(f"{n:,} processes",
               measure_backends(d, f"{n} procs", runs, PROC_COMMANDS), True,
               PROC_COMMANDS)
        procs = user_processes(d.mnt)
        progress(f"pidstore-proc: adding {nthreads} threads to "
                 f"{len(procs)} processes")
        ctl_session(d.mnt, [f"clone {procs[i % len(procs)]}"
                            for i in range(nthreads)])
        report(f"{n:,} processes + {nthreads:,} threads",
               measure_backends(d, f"{n} procs+{nthreads} threads", runs,
                                THREADED_COMMANDS), False, THREADED_COMMANDS)
    progress(f"pidstore-proc: wrote {out}/{{pidstore-proc.md,runs.csv}}")
