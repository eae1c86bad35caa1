"""Scenarios pidstore-core and pidstore-proc: the pid store backends in the
core (corebench-pidstore, no FUSE) and through the real tools."""

import os
import subprocess

from bench.common import (CMD_TIMEOUT, PROCSIM_RUN, BenchError, Daemon, Plot,
                          Report, Series, corebench, progress, scenario,
                          summarize)
from bench.attrib import (ATTRIB_HEADER, attrib_cells, record_trace,
                          replay_lockstep)

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
    argv = ["--runs", min(args.runs, 16)] + (["--quick"] if args.quick else [])
    core = corebench("pidstore", *argv, timeout=1800, label="pidstore-core")
    rows = core.dicts()
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
    rep = Report(args, "pidstore-core")
    rep.table(title1, header, table1)
    rep.table(title2, header2, table2)
    rep.raw("corebench.csv", core.text)
    rep.plot(Plot("pidstore-core", "alloc+free ns/op by backend and live "
                  "pids (pid_max 4194304)", None, "ns per alloc+free",
                  [Series(f"{n:,} live",
                          [(b, val.get((b, "alloc_free_ns", n), 0))
                           for b in backends]) for n in lives],
                  kind="bars"))
    rep.done()


# ---------------------------------------------------------------- proc

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


def backend_spread(reps, cmd, b, key):
    """(median, min, max) over the invocations' per-run medians."""
    return summarize([float(r[cmd, b][key]) for r in reps if (cmd, b) in r])


def run_spread(t):
    """(max - min) / median of a (median, min, max): the spread."""
    return (t[2] - t[1]) / t[0] if t and t[0] else 0.0


def ratio_runs(reps, cmd, b, key="replay_ms"):
    """Each invocation's backend / idr ratio (paired: one invocation, one
    stretch of machine load for both)."""
    return [float(r[cmd, b][key]) / float(r[cmd, "idr"][key]) for r in reps
            if (cmd, b) in r and (cmd, "idr") in r]


def beyond_spread(ratios):
    """True if a backend differs from idr by more than the spread: every
    invocation's ratio on the same side of 1, and the median ratio's
    distance to 1 larger than the ratios' own spread."""
    t = summarize(ratios)
    return bool(t) and (t[1] > 1 or t[2] < 1) and abs(t[0] - 1) > run_spread(t)


def replay_table(reps, commands, with_published, slow_reps=()):
    """Replayed ms per backend: median of the invocations' medians (min–max;
    spread), and the ratio to idr: median of the invocations' ratios
    (min–max), † where the difference is larger than the ratios' spread;
    the pid store's ms and calls.  A backend in no invocation of reps
    comes from slow_reps (each with its own idr), and with fewer than two
    invocations its cell says so and gets no mark.  Also [(cmd, backend,
    spread, ratio spread)] of the cells with two invocations or more."""
    header = ["test", ""] + [f"`{b}`" for b in BACKENDS]
    if with_published:
        header += ["published IDR sys", "published bitmap sys"]
    rows, spreads = [], []
    for cmd in commands:
        for what, key in (("replay ms", "replay_ms"), ("pid store ms", "pid_ns"),
                          ("pid store calls", "pid_calls")):
            row = [f"`{cmd}`" if key == "replay_ms" else "", what]
            for b in BACKENDS:
                pool = (reps if any((cmd, b) in r for r in reps)
                        else slow_reps)
                t = backend_spread(pool, cmd, b, key)
                if t is None:
                    row.append("—")
                elif key == "pid_calls":
                    row.append(f"{t[0]:,.0f}")
                elif key == "pid_ns":
                    row.append(f"{t[0] / 1e6:.2f}")
                else:
                    rs = ratio_runs(pool, cmd, b)
                    r = summarize(rs)
                    d = 2 if t[0] < 10 else 1
                    if len(rs) < 2:     # one invocation: no spread to show
                        row.append(f"{t[0]:.{d}f} {r[0]:.2f}× (1 invocation)")
                        continue
                    spreads.append((cmd, b, run_spread(t), run_spread(r)))
                    mark = "†" if b != "idr" and beyond_spread(rs) else ""
                    cell = (f"{t[0]:.{d}f} ({t[1]:.{d}f}–{t[2]:.{d}f}; "
                            f"{run_spread(t) * 100:.1f}%)")
                    if b != "idr":
                        cell += (f" {r[0]:.2f}× ({r[1]:.2f}–{r[2]:.2f})"
                                 f"{mark}")
                    row.append(cell)
            if with_published:
                pub = PUBLISHED.get(cmd.replace("-T", ""), {})
                row += [f"{pub[b, 'sys']:.3f} s" if key == "replay_ms" and
                        (b, "sys") in pub else "" for b in ("idr", "bitmap")]
            rows.append(row)
    return header, rows, spreads


def spread_note(spreads, goal=0.05):
    """The replay spread across invocations, of the times and of the
    ratios to idr, against the goal."""
    if not spreads:
        return ""
    out = []
    for i, what in ((2, "times"), (3, "ratios to idr")):
        sel = [x for x in spreads if i == 2 or x[1] != "idr"]
        worst = max(sel, key=lambda x: x[i])
        over = [f"`{x[0]}` {x[1]} {x[i] * 100:.1f}%" for x in sel
                if x[i] > goal]
        med = sorted(x[i] for x in sel)[len(sel) // 2]
        out.append(f"Spread across invocations of the {what}, (max − min) / "
                   f"median: median {med * 100:.1f}%, largest "
                   f"{worst[i] * 100:.1f}% (`{worst[0]}` {worst[1]}); above "
                   f"{goal * 100:.0f}%: " + (", ".join(over) if over else
                                             "none") + ".")
    return "\n\n".join(out)


def add_threads(d, nthreads, path):
    """Clone nthreads threads spread over the user processes, through ctl;
    the same lines to path, for the replayer's world."""
    procs = user_processes(d.mnt)
    lines = [f"clone {procs[i % len(procs)]}" for i in range(nthreads)]
    with open(path, "w") as f:
        f.write("".join(l + "\n" for l in lines))
    progress(f"pidstore-proc: adding {nthreads} threads to {len(procs)} "
             "processes")
    d.ctl(lines)


# Rounds per replayer invocation (every backend once a round), and how
# many of them also run accounted (for the pid store's ns): at a million
# pids a bitmap replay takes seconds, so fewer.  The invocations run in
# lockstep, a round of each in turn.  A run of a trace lasts at least
# REPLAY_MIN_MS (a short trace is replayed several times per run).
# Measured spread sources: docs/replay.md "Spread".
REPLAY_ROUNDS = {"10k": (15, 5), "threads": (15, 5), "1m": (15, 1)}
REPLAY_MIN_MS = 30
# At a million pids the bitmap's 4,096 hash chains hold ~244 pids each, and
# one round of its replays costs a minute of CPU (its `ls /proc` alone
# hashes every thread): its invocations (in lockstep too, beside idr) run
# SLOW_ROUNDS rounds each, with no warm-up round (a replay of seconds warms
# its own caches).
SLOW = {"1m": ("bitmap",)}
SLOW_ROUNDS = 5
POPULATIONS = ("10k", "threads", "1m")


@scenario("pidstore-proc", "ps aux, pstree -p and ls /proc: each tool's "
          "requests recorded once through FUSE (cache=off, attributed by "
          "family), then replayed in-process on every pid store backend at "
          "10,000 processes, + 100,000 threads, and 1,000,000 pids; beside "
          "commit 95846ecf's table (PIDSTORE_PROC_POPULATIONS=10k,threads,1m "
          "picks populations)")
def bench_pidstore_proc(args):
    n = 500 if args.quick else 10000
    pops = [("10k", f"{n:,} processes", 0, PROC_COMMANDS, True),
            ("threads", f"{n:,} processes + "
             f"{(20 if args.quick else 100) * n // 10:,} threads",
             (2000 if args.quick else 100000), THREADED_COMMANDS, False),
            ("1m", "1,000,000 pids" if not args.quick else "20,000 pids",
             None, THREADED_COMMANDS, False)]
    want = os.environ.get("PIDSTORE_PROC_POPULATIONS", ",".join(POPULATIONS))
    want = want.split(",")
    if any(w not in POPULATIONS for w in want):
        raise BenchError(f"PIDSTORE_PROC_POPULATIONS: pick from "
                         f"{','.join(POPULATIONS)}")
    reps = 3
    rep = Report(args, "pidstore-proc")
    out = rep.out
    csv_rows = []
    for key, label, nthreads, commands, pub in pops:
        if key not in want:
            continue
        runs, acct = (2, 1) if args.quick else REPLAY_ROUNDS[key]
        tdir = os.path.join(out, "traces", key)
        os.makedirs(tdir, exist_ok=True)
        ctl_file = None
        attrib_rows = []
        with Daemon(f"populate={n},pid_max={PID_MAX_LIMIT},cache=off") as d:
            if nthreads is None:   # up to a million pids in all
                tasks = d.stats().values["tasks"]
                nthreads = (20000 if args.quick else 1000000) - tasks
                label = f"{label} ({n:,} processes + {nthreads:,} threads)"
            if nthreads:
                ctl_file = os.path.join(tdir, "threads.ctl")
                add_threads(d, nthreads, ctl_file)
            traces = []
            for cmd in commands:
                path = os.path.join(tdir, cmd.replace(" ", "_")
                                    .replace("/", "") + ".trace")
                s, cpu, st = record_trace(d, cmd, path)
                traces.append(path)
                attrib_rows.append([f"`{cmd}`", f"{st.requests():,}"] +
                                   attrib_cells(s, cpu, st))
                progress(f"pidstore-proc: {label}: {cmd}: {s.wall:.3f} s "
                         "through FUSE, trace recorded")
        names = {os.path.basename(p): c for p, c in zip(traces, commands)}
        slow = () if args.quick else SLOW.get(key, ())
        stores = ",".join(b for b in BACKENDS if b not in slow)
        common = dict(ctl_file=ctl_file, cpu=1, min_ms=REPLAY_MIN_MS)
        results = replay_lockstep(reps, traces, n, PID_MAX_LIMIT, runs,
                                  acct_runs=acct, pidstores=stores,
                                  runs_csv=os.path.join(tdir, "runs-{}.csv"),
                                  **common)
        progress(f"pidstore-proc: {label}: {reps} replays in lockstep done")
        slow_results = []
        if slow:
            slow_results = replay_lockstep(
                reps, traces, n, PID_MAX_LIMIT, SLOW_ROUNDS, acct_runs=1,
                warmup=False,
                pidstores=",".join(("idr",) + slow),
                runs_csv=os.path.join(tdir, "runs-slow-{}.csv"), **common)
            progress(f"pidstore-proc: {label}: {','.join(slow)}: {reps} "
                     "replays in lockstep done")
        for r, rows in enumerate(results + slow_results):
            for row in rows:
                csv_rows.append([label, row["trace"], row["backend"],
                                 r % reps + 1, row["replay_ms"],
                                 row["replay_ms_min"], row["replay_ms_max"],
                                 row["replay_preempts"], row["pid_ns"],
                                 row["pid_calls"], row["reps"], row["hash"]])
        results, slow_results = ([{(names[row["trace"]], row["backend"]): row
                                   for row in rows} for rows in x]
                                 for x in (results, slow_results))
        for path in traces:     # kept, compressed (results/ is not in git)
            subprocess.run(["gzip", "-f", path], check=False)
        header, rows, spreads = replay_table(results, commands, pub,
                                             slow_results)
        rep.table(f"pidstore-proc: {label}: each tool through FUSE once "
                  f"(idr, cache=off, so every read reaches the daemon as "
                  f"every read reaches procfs), with the daemon's time by "
                  f"family", ["test", "requests"] + ATTRIB_HEADER,
                  attrib_rows)
        rep.table(f"pidstore-proc: {label}: the recorded requests "
                  f"replayed in-process (build/procsim-replay, pinned, every "
                  f"backend's store built once, backends interleaved round "
                  f"by round, {reps} invocations in lockstep, a run "
                  f"≥ {REPLAY_MIN_MS} ms), thread CPU ms per replay: median "
                  f"of {reps} invocations' medians of {runs} runs "
                  + (f"({', '.join(slow)}: {SLOW_ROUNDS} runs, no warm-up round) "
                     if slow else "") +
                  f"(min–max; spread = "
                  f"(max − min) / median), then the ratio to idr: median of "
                  f"the invocations' ratios (min–max), † = on the same side "
                  f"of 1 in every invocation and further from 1 than the "
                  f"ratios' spread; pid "
                  f"store ms = the pid store's own time ({acct} accounted "
                  f"runs per invocation, clock cost subtracted)"
                  + ("; published: 95846ecf, real kernel, sys s of the tool, "
                     "10,000 processes" if pub else ""), header, rows,
                  spread_note(spreads))
        rep.save()
        rep.csv("replays.csv",
                ["population", "trace", "backend", "invocation",
                 "replay_ms", "replay_ms_min", "replay_ms_max",
                 "replay_preempts", "pid_ns", "pid_calls", "reps", "hash"],
                csv_rows)
    rep.done()
