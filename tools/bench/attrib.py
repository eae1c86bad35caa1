"""Attribution (docs/replay.md): what the accounting costs (scenario
`account`), and the helpers the other scenarios use to split a tool run's
daemon time by family, record a tool's trace and replay it."""

import os
import statistics
import subprocess
import tempfile
import time

from bench.common import (BUILD, PROCSIM_RUN, BenchError, CoreOutput, Daemon,
                          Report, measure, progress, scenario, summarize)

REPLAY = os.path.join(BUILD, "procsim-replay")
STATS_SAMPLE = 64     # fs/stats.h STATS_SAMPLE_LOG2: 1 core call in 64 timed
FAMILIES = [("pid store", ("pid_lookup", "pid_next", "pid_next_leader",
                            "pid_alloc", "pid_free")),
            ("VMA store", ("vma",)), ("wait", ("wait",)),
            ("watchers", ("watch",))]


def attributed(d, argv):
    """One tool run: (sample, daemon CPU s, stats delta)."""
    s0, c0 = d.stats(), d.cpu_ns()
    s = measure(argv)
    c1, s1 = d.cpu_ns(), d.stats()
    return s, (c1 - c0) / 1e9, s1 - s0


ATTRIB_HEADER = ["tool wall s", "user", "sys", "daemon CPU s",
                 "in handlers ms", "pid store ms", "VMA store ms", "wait ms",
                 "watchers ms", "renderers ms", "other in handlers ms",
                 "pid store share of handler time"]


def attrib_cells(s, cpu, st):
    """The attribution columns of one run (ATTRIB_HEADER)."""
    fam = [sum(st.core_ns(i) for i in items) / 1e6 for _, items in FAMILIES]
    # Both wall clock: handler time includes preemption on a busy machine.
    share = st.pid_ns() / st.request[1] if st.request[1] > 0 else 0
    return ([f"{s.wall:.3f}", f"{s.user:.3f}", f"{s.sys:.3f}", f"{cpu:.3f}",
             f"{st.request[1] / 1e6:.1f}"] + [f"{v:.2f}" for v in fam] +
            [f"{st.render[1] / 1e6:.1f}", f"{st.other / 1e6:.1f}",
             f"{share * 100:.2f}%"])


def record_trace(d, cmd, path):
    """Run `cmd` once through procsim-run with the trace on; the trace to
    path, and the run's attribution."""
    d.ctl(["stats reset", "trace start"])
    argv = [PROCSIM_RUN, "-m", d.mnt, "--"] + cmd.split()
    res = attributed(d, argv)
    d.ctl(["trace stop"])
    with open(os.path.join(d.mnt, "procsim", "trace")) as f, \
            open(path, "w") as out:
        out.write(f.read())
    return res


def replay_argv(traces, populate, pid_max, runs, ctl_file=None,
                pidstores="all", cpu=None, acct_runs=None, runs_csv=None,
                min_ms=None, warmup=True):
    """procsim-replay's command line (docs/replay.md)."""
    if not os.access(REPLAY, os.X_OK):
        raise BenchError(f"no {REPLAY}: run tools/build first")
    argv = [REPLAY, "--populate", str(populate), "--pid-max", str(pid_max),
            "--runs", str(runs), "--pidstore", pidstores, "--check"]
    if acct_runs:
        argv += ["--acct-runs", str(acct_runs)]
    if runs_csv:
        argv += ["--runs-csv", runs_csv]
    if ctl_file:
        argv += ["--ctl", ctl_file]
    if min_ms:
        argv += ["--min-ms", str(min_ms)]
    if not warmup:
        argv += ["--no-warmup"]
    if cpu is not None and cpu < (os.cpu_count() or 1):
        argv += ["--cpu", str(cpu)]
    return argv + list(traces)


def replay(traces, populate, pid_max, runs, **kw):
    """procsim-replay's rows: [{column: value}] per trace and backend
    (runs rounds over every backend, the first acct_runs also accounted;
    every run's time to runs_csv if given)."""
    r = subprocess.run(replay_argv(traces, populate, pid_max, runs, **kw),
                       capture_output=True, text=True, timeout=3600,
                       check=False)
    if r.returncode != 0:
        raise BenchError(f"procsim-replay: exit {r.returncode}: "
                         f"{r.stderr.strip()}")
    return CoreOutput(r.stdout).dicts()


def _drive(pipes, rounds):
    """Give each replayer its rounds in turn, the order rotated; stop at
    the first that exits (its stderr says why)."""
    for r in range(rounds):
        for j in range(len(pipes)):
            go_w, done_r = pipes[(j + r) % len(pipes)]
            try:
                os.write(go_w, b"g")
                if os.read(done_r, 1) == b"r":
                    continue
            except OSError:
                pass
            return


def replay_lockstep(n, traces, populate, pid_max, runs, runs_csv=None,
                    **kw):
    """n invocations of procsim-replay in lockstep, one round of each in
    turn (the order rotated), so that the machine's drift over minutes
    reaches every invocation alike: their rows, one list per invocation.
    Each boots its own world; runs_csv, if given, is a format string of
    the invocation's number (1..n)."""
    procs, pipes = [], []
    try:
        for i in range(n):
            go_r, go_w = os.pipe()      # driver -> replayer: take a round
            done_r, done_w = os.pipe()  # replayer -> driver: round done
            out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
            argv = replay_argv(traces, populate, pid_max, runs,
                               runs_csv=runs_csv and runs_csv.format(i + 1),
                               **kw)
            argv[1:1] = ["--turns", f"{go_r},{done_w}"]
            procs.append((subprocess.Popen(argv, stdout=out, stderr=err,
                                           pass_fds=(go_r, done_w)), out, err))
            os.close(go_r)
            os.close(done_w)
            pipes.append((go_w, done_r))
        _drive(pipes, runs + 1)         # the warm-up round, then runs
        for go_w, done_r in pipes:
            os.close(go_w)              # a replayer still waiting exits
            os.close(done_r)
        pipes = []
        rows, errors = [], []
        for p, out, err in procs:
            p.wait(timeout=3600)
            out.seek(0)
            err.seek(0)
            if p.returncode != 0:
                errors.append(f"procsim-replay: exit {p.returncode}: "
                              f"{err.read().strip()}")
            rows.append(CoreOutput(out.read()).dicts())
        if errors:
            raise BenchError("; ".join(errors))
        return rows
    finally:
        for go_w, done_r in pipes:
            os.close(go_w)
            os.close(done_r)
        for p, out, err in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            out.close()
            err.close()


# ---------------------------------------------------------------- account

# What a warm `ps aux` reads that still reaches the daemon (its trace,
# docs/replay.md "Cost"): the global files, whose attributes live one tick,
# and the caller's own; everything per process stays in the page cache.
PS_GLOBAL_FILES = ("filesystems", "uptime", "sys/kernel/pid_max",
                   "tty/drivers", "meminfo", "cpuinfo", "stat",
                   "self/status", "self/stat")
TICK_GAP = 0.012      # > one USER_HZ tick: the global files' attributes expire


def ps_global_requests(mnt):
    """The warm `ps aux`'s requests to the daemon, without its 10,000
    processes' page-cache reads: the global files, /proc/self."""
    os.readlink(os.path.join(mnt, "self"))
    os.stat(mnt)
    os.stat(os.path.join(mnt, "self", "task"))
    for name in PS_GLOBAL_FILES:
        with open(os.path.join(mnt, name), "rb") as f:
            f.read()


def median_ci(values, level=0.95):
    """(median, lo, hi): the median and its distribution-free interval,
    order statistics j and n+1-j (1-based), j the largest rank with
    P(Binomial(n, 1/2) < j) <= (1 - level) / 2 (normal approximation).
    No assumption on the shape: a run's CPU has a long right tail."""
    v = sorted(values)
    n = len(v)
    z = statistics.NormalDist().inv_cdf((1 + level) / 2)
    j = max(1, int(n / 2 - z * n ** 0.5 / 2))
    return statistics.median(v), v[j - 1], v[n - j]


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _account_ps(d, rounds):
    """Warm `ps aux` runs on one daemon, accounting switched per run
    (`stats account on|off`), the order alternating per round: per mode a
    list of {cpu, heavy, tool, requests, renders, walk} (CPU in s; heavy:
    the busiest thread's CPU; walk: pid_next_leader calls, accounted runs
    only)."""
    runs = {"on": [], "off": []}
    argv = [PROCSIM_RUN, "-m", d.mnt, "--", "ps", "aux"]
    for r in range(rounds + 1):      # round 0 warms
        for mode in (("on", "off") if r % 2 else ("off", "on")):
            d.ctl([f"stats account {mode}"])
            s0, t0 = d.stats(), thread_cpu_ns(d.proc.pid)
            s = measure(argv)
            t1, st = thread_cpu_ns(d.proc.pid), d.stats() - s0
            per = [t1[t] - t0.get(t, 0) for t in t1]
            if r:
                runs[mode].append(dict(
                    cpu=sum(per) / 1e9, heavy=max(per) / 1e9,
                    tool=s.user + s.sys, requests=st.requests(),
                    renders=st.render[0],
                    walk=st.core.get("pid_next_leader", (0, 0))[0]))
        if r % 20 == 0:
            progress(f"account: ps aux round {r}/{rounds}")
    return runs


def _account_requests(d, rounds):
    """ps_global_requests() on one daemon, three arms per round in rotated
    order: accounting on, off, and off again (an A/A control); each after
    a tick's gap.  Per arm the daemon's CPU (s) and this thread's (the
    client's side: a control) per iteration."""
    arms = {"on": [], "off": [], "off2": []}
    mine = {a: [] for a in arms}
    order = ("on", "off", "off2")
    for r in range(rounds + 1):
        for i in range(3):
            arm = order[(i + r) % 3]
            d.ctl([f"stats account {'on' if arm == 'on' else 'off'}"])
            time.sleep(TICK_GAP)
            c0, m0 = d.cpu_ns(), time.thread_time_ns()
            ps_global_requests(d.mnt)
            m1, c1 = time.thread_time_ns(), d.cpu_ns()
            if r:
                arms[arm].append((c1 - c0) / 1e9)
                mine[arm].append((m1 - m0) / 1e9)
        if r % 500 == 0:
            progress(f"account: requests round {r}/{rounds}")
    return arms, mine


def thread_cpu_ns(pid):
    """{tid: CPU ns} of pid's threads (schedstat)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[tid] = int(f.read().split()[0])
        except OSError:
            pass		# a worker thread that just ended
    return out


def paired(a, b):
    """Per round a/b, the median with its interval (median_ci)."""
    return median_ci([x / y for x, y in zip(a, b) if y])


@scenario("account", "what per-request accounting costs: warm `ps aux` on "
          "10,000 processes, one daemon, its CPU with accounting on vs off "
          "(`stats account on|off`, runs alternating); the same run's "
          "daemon requests alone, many rounds; and in-process")
def bench_account(args):
    n = 1000 if args.quick else 10000
    rounds = 3 if args.quick else max(args.runs, 41)
    req_rounds = 30 if args.quick else max(args.runs, 41) * 60
    load0 = load_average()
    with Daemon(f"populate={n},account=on") as d:
        ps = _account_ps(d, rounds)
        # The accounted walks per iteration of the requests alone.
        d.ctl(["stats account on"])
        s0 = d.stats()
        for _ in range(5):
            time.sleep(TICK_GAP)
            ps_global_requests(d.mnt)
        st = d.stats() - s0
        req_walk = st.core.get("pid_next_leader", (0, 0))[0] / 5
        req_per_iter = st.requests() / 5
        arms, mine = _account_requests(d, req_rounds)
        d.ctl(["stats account on"])
        _, _, last = attributed(d, [PROCSIM_RUN, "-m", d.mnt, "--", "ps",
                                    "aux"])
        # The same warm run in-process: its requests recorded once and
        # replayed with accounting off and on, alternating, in CPU time.
        tdir = tempfile.mkdtemp(prefix="procsim-account.")
        trace = os.path.join(tdir, "ps_aux.trace")
        record_trace(d, "ps aux", trace)
    load1 = load_average()
    reps = [replay([trace], n, 32768, max(args.runs, 15), pidstores="idr",
                   cpu=1)[0] for _ in range(3)]
    os.unlink(trace)
    os.rmdir(tdir)
    inproc = summarize([float(x["replay_acct_ms"]) / float(x["replay_ms"])
                        for x in reps])
    col = lambda m, k: [x[k] for x in ps[m]]  # noqa: E731
    ps_cpu = paired(col("on", "cpu"), col("off", "cpu"))
    ps_heavy = paired(col("on", "heavy"), col("off", "heavy"))
    ps_tool = paired(col("on", "tool"), col("off", "tool"))
    rq = paired(arms["on"], arms["off"])
    aa = paired(arms["off2"], arms["off"])
    rq_mine = paired(mine["on"], mine["off"])
    # With account=on: 1 core call in 64 timed, every render timed (each
    # request's own two clock reads are made with account=off too).
    core_calls = sum(c for c, _ in last.core.values())
    timed = core_calls // STATS_SAMPLE + last.render[0]
    # The clock's cost per accounted call, as procsim-replay measures it
    # (median of 3: one measurement is 200,000 timed calls).
    with tempfile.NamedTemporaryFile("w", suffix=".trace") as t:
        t.write("procsim-trace 1 cache=on\n")
        t.flush()
        bias = summarize([float(replay([t.name], 10, 32768, 1,
                                       pidstores="idr")[0]["clock_bias_ns"])
                          for _ in range(3)])[0]
    est = timed * bias / 1e9
    ci = lambda t: f"{t[0]:.3f} ({t[1]:.3f}–{t[2]:.3f})"  # noqa: E731
    ms = lambda v: "{:.2f} ({:.2f}–{:.2f})".format(  # noqa: E731
        *(x * 1e3 for x in summarize(v)))
    med = lambda v: f"{statistics.median(v):,.0f}"  # noqa: E731
    rep = Report(args, "account")
    ps_walk = statistics.median(col("on", "walk"))
    rows = [[f"account={m}", ms(col(m, "cpu")), ms(col(m, "heavy")),
             med(col(m, "requests")),
             f"{min(col(m, 'renders'))}–{max(col(m, 'renders'))} "
             f"(median {med(col(m, 'renders'))})",
             ms(col(m, "tool")) + " ms"] for m in ("off", "on")]
    rows.append(["on/off per round", ci(ps_cpu), ci(ps_heavy), "", "",
                 ci(ps_tool) + " (a control)"])
    rep.table(f"account: warm `ps aux` on {n} processes, one daemon, "
              f"{rounds} rounds of one run with accounting on and one off "
              f"(`stats account on|off`, order alternating); daemon CPU ms "
              f"per run (schedstat, all threads) median (min–max); heavy: "
              f"its busiest thread (the meminfo render); ratios: median "
              f"of the rounds' with its 95% interval (order statistics); "
              f"load average {load0} before, {load1} after",
              ["", "daemon CPU ms", "heavy thread ms", "requests per run",
               "renders per run", "tool CPU"], rows)
    # The requests alone: the accounting's extra CPU per iteration scaled
    # by the accounted walks (the meminfo render's pid_next_leader calls,
    # where nearly all of it lies) to a ps aux run's walks and CPU.
    off_ps = statistics.median(col("off", "cpu"))
    off_rq = statistics.median(arms["off"])
    scale = (ps_walk / req_walk if req_walk else 1) * off_rq / off_ps
    as_ps = [1 + (x - 1) * scale for x in rq]
    per_call = [(x - 1) * off_rq * 1e9 / req_walk if req_walk else 0
                for x in rq]
    rep.table(f"account, the warm `ps aux`'s daemon requests alone "
              f"(tools/bench/attrib.py ps_global_requests: "
              f"{req_per_iter:.0f} requests, {req_walk:,.0f} accounted "
              f"pid_next_leader calls per iteration against {ps_walk:,.0f} "
              f"in a ps aux run), each after a {TICK_GAP * 1000:.0f} ms gap; "
              f"{req_rounds} rounds of three arms (on, off, off again: an "
              f"A/A control), order rotated; daemon CPU ms per iteration, "
              f"median (min–max); ratios as above",
              ["arm", "daemon CPU ms", "daemon /off per round",
               "client CPU /off (a control)"],
              [["account=off", ms(arms["off"]), "", ""],
               ["account=on", ms(arms["on"]), ci(rq), ci(rq_mine)],
               ["account=off again", ms(arms["off2"]), ci(aa) + " (A/A)",
                ""],
               ["on − off, ns per accounted pid_next_leader call", "",
                ci(per_call), ""],
               ["on/off as a share of a ps aux run's CPU", "", ci(as_ps),
                ""]],
              f"The last row scales the extra CPU by walks and CPU: "
              f"(ratio − 1) × {off_rq * 1000:.2f} ms × {ps_walk:,.0f} / "
              f"{req_walk:,.0f} / {off_ps * 1000:.2f} ms.  Accounted in a ps "
              f"aux run: {core_calls:,} core calls (1 in {STATS_SAMPLE} "
              f"timed) and {last.render[0]:,} renders (all timed): "
              f"{timed:,} timed × {bias:.1f} ns per clock pair "
              f"(procsim-replay's clock_bias_ns) = {est * 1000:.3f} ms, "
              f"{est / off_ps * 100:.2f}% of the daemon's median CPU; the "
              f"untimed calls' counting is not in this estimate.")
    rep.csv("runs.csv", ["round", "daemon_cpu_off_s", "daemon_cpu_on_s",
                         "heavy_off_s", "heavy_on_s", "tool_cpu_off_s",
                         "tool_cpu_on_s", "requests_off", "requests_on",
                         "renders_off", "renders_on"],
            [[i + 1, a["cpu"], b["cpu"], a["heavy"], b["heavy"], a["tool"],
              b["tool"], a["requests"], b["requests"], a["renders"],
              b["renders"]] for i, (a, b) in enumerate(zip(ps["off"],
                                                           ps["on"]))])
    rep.csv("requests.csv", ["round", "daemon_cpu_off_s", "daemon_cpu_on_s",
                             "daemon_cpu_off2_s", "client_cpu_off_s",
                             "client_cpu_on_s"],
            [[i + 1, *x] for i, x in enumerate(zip(
                arms["off"], arms["on"], arms["off2"], mine["off"],
                mine["on"]))])
    rep.table(f"account, in-process: the warm `ps aux`'s {reps[0]['requests']} "
              f"requests replayed by procsim-replay (idr, pinned to CPU 1, "
              f"thread CPU time, median of {max(args.runs, 15)} runs per "
              f"invocation, accounted before or after the plain run in "
              f"alternate rounds; 3 invocations, min–max)",
              ["replay CPU ms, off", "replay CPU ms, on", "on/off"],
              [[f"{float(x['replay_ms']):.3f}", f"{float(x['replay_acct_ms']):.3f}",
                f"{float(x['replay_acct_ms']) / float(x['replay_ms']):.3f}"]
               for x in reps] +
              [["", "median (min–max)", f"{inproc[0]:.3f} "
                f"({inproc[1]:.3f}–{inproc[2]:.3f})"]],
              "In-process there is no FUSE: the same accounting cost is a "
              "larger share of the replay's CPU than of the daemon's, so "
              "this ratio bounds the daemon's from above.")
    rep.done()
