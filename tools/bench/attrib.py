"""Attribution (docs/replay.md): what the accounting costs (scenario
`account`), and the helpers the other scenarios use to split a tool run's
daemon time by family, record a tool's trace and replay it."""

import os
import random
import statistics
import subprocess
import tempfile

from bench.common import (BUILD, PROCSIM_RUN, BenchError, CoreOutput, Daemon,
                          Report,
                          measure, progress, scenario, summarize)

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
                min_ms=None):
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

def stat_cpu_ticks(pid):
    """utime + stime of /proc/pid/stat, in clock ticks (all threads)."""
    with open(f"/proc/{pid}/stat") as f:
        w = f.read().rsplit(")", 1)[1].split()
    return int(w[11]) + int(w[12])


def median_ci(values, level=0.95, resamples=2000):
    """(median, lo, hi): a bootstrap interval of the median (seeded)."""
    rng = random.Random(12)
    meds = sorted(statistics.median(rng.choices(values, k=len(values)))
                  for _ in range(resamples))
    cut = int(resamples * (1 - level) / 2)
    return statistics.median(values), meds[cut], meds[-cut - 1]


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


@scenario("account", "what per-request accounting costs: warm `ps aux` on "
          "10,000 processes, daemon CPU with -o account=on vs off (two "
          "daemons, runs alternating), and the clock reads it adds")
def bench_account(args):
    n = 1000 if args.quick else 10000
    runs = 3 if args.quick else max(args.runs, 41)
    # Per daemon and run: daemon CPU s (schedstat, ns resolution: a warm run
    # costs the daemon ~20 ms, two ticks of /proc/PID/stat), tool CPU s.
    cpu = {"on": [], "off": []}
    tool = {"on": [], "off": []}
    reqs = {"on": [], "off": []}    # FUSE requests the run caused
    ticks = {}
    load0 = load_average()
    with Daemon(f"populate={n},account=on") as on, \
            Daemon(f"populate={n},account=off") as off:
        daemons = {"on": on, "off": off}
        for r in range(runs + 1):      # round 0 warms both
            if r == 1:
                ticks = {m: stat_cpu_ticks(d.proc.pid) for m, d in daemons.items()}
            for mode in (("on", "off") if r % 2 else ("off", "on")):
                d = daemons[mode]
                argv = [PROCSIM_RUN, "-m", d.mnt, "--", "ps", "aux"]
                q0 = d.fuse_requests()
                c0 = d.cpu_ns()
                s = measure(argv)
                c = (d.cpu_ns() - c0) / 1e9
                q = d.fuse_requests() - q0
                if r:
                    cpu[mode].append(c)
                    tool[mode].append(s.user + s.sys)
                    reqs[mode].append(q)
            if r % 10 == 0:
                progress(f"account: round {r}/{runs}")
        hz = os.sysconf("SC_CLK_TCK")
        ticks = {m: (stat_cpu_ticks(d.proc.pid) - ticks[m]) / hz / runs
                 for m, d in daemons.items()}
        _, _, last = attributed(on, [PROCSIM_RUN, "-m", on.mnt, "--", "ps",
                                     "aux"])
        # The same warm run in-process: its requests recorded once and
        # replayed with accounting off and on, alternating, in CPU time.
        tdir = tempfile.mkdtemp(prefix="procsim-account.")
        trace = os.path.join(tdir, "ps_aux.trace")
        record_trace(on, "ps aux", trace)
    load1 = load_average()
    reps = [replay([trace], n, 32768, max(args.runs, 15), pidstores="idr",
                   cpu=1)[0] for _ in range(3)]
    os.unlink(trace)
    os.rmdir(tdir)
    inproc = summarize([float(x["replay_acct_ms"]) / float(x["replay_ms"])
                        for x in reps])
    # Each round ran both back to back, in alternating order: its on/off
    # ratio cancels most of what the rest of the machine did meanwhile.
    paired = median_ci([a / b for a, b in zip(cpu["on"], cpu["off"]) if b])
    # A warm run's requests vary (attribute timeouts expire or not), and
    # the daemon's CPU with them: per request, the pairs are comparable.
    per_req = {m: [c / q for c, q in zip(cpu[m], reqs[m]) if q]
               for m in cpu}
    paired_req = median_ci([a / b for a, b in zip(
        [c / q if q else 0 for c, q in zip(cpu["on"], reqs["on"])],
        [c / q if q else 0 for c, q in zip(cpu["off"], reqs["off"])]) if a and b])
    tpaired = median_ci([a / b for a, b in zip(tool["on"], tool["off"]) if b])
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
    fmt = lambda t: f"{t[0]:.4f} ({t[1]:.4f}–{t[2]:.4f})"  # noqa: E731
    ci = lambda t: f"{t[0]:.3f} (95% CI {t[1]:.3f}–{t[2]:.3f})"  # noqa: E731
    con, coff = summarize(cpu["on"]), summarize(cpu["off"])
    us = lambda t: f"{t[0] * 1e6:.1f} ({t[1] * 1e6:.1f}–{t[2] * 1e6:.1f})"  # noqa: E731
    rows = [["account=off", fmt(coff), f"{ticks['off']:.4f}",
             f"{statistics.median(reqs['off']):,.0f}",
             us(summarize(per_req["off"])), fmt(summarize(tool["off"])),
             "—", "—", "—"],
            ["account=on", fmt(con), f"{ticks['on']:.4f}",
             f"{statistics.median(reqs['on']):,.0f}",
             us(summarize(per_req["on"])), fmt(summarize(tool["on"])),
             ci(paired), ci(paired_req), ci(tpaired)]]
    title = (f"account: warm `ps aux` on {n} processes, {runs} rounds, each "
             f"round one run on each daemon (order alternating); daemon CPU "
             f"s per run (schedstat, all threads) median (min–max), and the "
             f"mean from /proc/PID/stat utime+stime ({hz} Hz ticks) over "
             f"all runs; tool CPU = the tool's user+sys; load average "
             f"{load0} before, {load1} after")
    rep = Report(args, "account")
    rep.table(title, ["daemon", "daemon CPU s", "daemon CPU s (stat mean)",
                      "requests per run", "daemon CPU µs per request",
                      "tool CPU s", "daemon on/off per round, median",
                      "per request", "tool on/off per round (a control)"],
              rows,
              f"Accounted in a run: {core_calls:,} core calls (1 in "
              f"{STATS_SAMPLE} timed) and {last.render[0]:,} renders (all "
              f"timed): {timed:,} timed × {bias:.1f} ns per clock pair "
              f"(procsim-replay's clock_bias_ns) = {est * 1000:.3f} ms, "
              f"{est / con[0] * 100:.2f}% of the daemon's median CPU; the "
              f"untimed calls' counting is not in this estimate.")
    rep.csv("runs.csv", ["round", "daemon_cpu_off_s", "daemon_cpu_on_s",
                         "tool_cpu_off_s", "tool_cpu_on_s", "requests_off",
                         "requests_on"],
            [[i + 1, *x] for i, x in
             enumerate(zip(cpu["off"], cpu["on"], tool["off"], tool["on"],
                           reqs["off"], reqs["on"]))])
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
