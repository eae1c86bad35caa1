"""Attribution (docs/replay.md): what the accounting costs (scenario
`account`), and the helpers the other scenarios use to split a tool run's
daemon time by family, record a tool's trace and replay it."""

import os
import subprocess
import tempfile

from bench.common import (BUILD, PROCSIM_RUN, BenchError, CoreOutput, Daemon,
                          Report,
                          measure, progress, scenario, summarize)

REPLAY = os.path.join(BUILD, "procsim-replay")
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


def replay(traces, populate, pid_max, runs, ctl_file=None, pidstores="all",
           cpu=None, acct_runs=None, runs_csv=None):
    """procsim-replay's rows: [{column: value}] per trace and backend
    (runs rounds over every backend, the first acct_runs also accounted;
    every run's time to runs_csv if given)."""
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
    if cpu is not None and cpu < (os.cpu_count() or 1):
        argv += ["--cpu", str(cpu)]
    r = subprocess.run(argv + list(traces), capture_output=True, text=True,
                       timeout=3600, check=False)
    if r.returncode != 0:
        raise BenchError(f"procsim-replay: exit {r.returncode}: "
                         f"{r.stderr.strip()}")
    return CoreOutput(r.stdout).dicts()


# ---------------------------------------------------------------- account

@scenario("account", "what per-request accounting costs: warm `ps aux` on "
          "10,000 processes, daemon CPU with -o account=on vs off (two "
          "daemons, runs alternating), and the clock reads it adds")
def bench_account(args):
    n = 1000 if args.quick else 10000
    runs = max(args.runs, 3)
    cpu = {"on": [], "off": []}
    wall = {"on": [], "off": []}
    last = None
    with Daemon(f"populate={n},account=on") as on, \
            Daemon(f"populate={n},account=off") as off:
        daemons = {"on": on, "off": off}
        for r in range(runs + 1):
            for mode in (("on", "off") if r % 2 else ("off", "on")):
                d = daemons[mode]
                argv = [PROCSIM_RUN, "-m", d.mnt, "--", "ps", "aux"]
                s, c, st = attributed(d, argv)
                if r:
                    cpu[mode].append(c)
                    wall[mode].append(s.wall)
                if mode == "on":
                    last = st
            progress(f"account: round {r}/{runs}")
        # The same warm run in-process: its requests recorded once and
        # replayed with accounting off and on, alternating, in CPU time.
        tdir = tempfile.mkdtemp(prefix="procsim-account.")
        trace = os.path.join(tdir, "ps_aux.trace")
        record_trace(on, "ps aux", trace)
    reps = [replay([trace], n, 32768, max(runs, 5), pidstores="idr", cpu=1)[0]
            for _ in range(3)]
    os.unlink(trace)
    os.rmdir(tdir)
    inproc = summarize([float(x["replay_acct_ms"]) / float(x["replay_ms"])
                        for x in reps])
    con, coff = summarize(cpu["on"]), summarize(cpu["off"])
    # Each round ran both back to back: its on/off ratio cancels most of
    # what the rest of the machine did meanwhile.
    paired = summarize([a / b for a, b in zip(cpu["on"], cpu["off"]) if b])
    calls = sum(c for c, _ in last.core.values()) + last.render[0]
    # The clock's cost per accounted call, as procsim-replay measures it
    # (median of 3: one measurement is 200,000 timed calls).
    with tempfile.NamedTemporaryFile("w", suffix=".trace") as t:
        t.write("procsim-trace 1 cache=on\n")
        t.flush()
        bias = summarize([float(replay([t.name], 10, 32768, 1,
                                       pidstores="idr")[0]["clock_bias_ns"])
                          for _ in range(3)])[0]
    est = calls * bias / 1e9
    rows = [["account=off", f"{coff[0]:.4f} ({coff[1]:.4f}–{coff[2]:.4f})",
             f"{summarize(wall['off'])[0]:.3f}", "—", "—", "—"],
            ["account=on", f"{con[0]:.4f} ({con[1]:.4f}–{con[2]:.4f})",
             f"{summarize(wall['on'])[0]:.3f}",
             f"{paired[0]:.3f} ({paired[1]:.3f}–{paired[2]:.3f})",
             f"{calls:,}", f"{est * 1000:.2f} ms ({est / con[0] * 100:.2f}%)"]]
    title = (f"account: warm `ps aux` on {n} processes, daemon CPU s per "
             f"run (schedstat, all threads), median of {runs} (min–max); "
             f"on/off of the medians = {con[0] / coff[0]:.3f}, of each "
             f"round's pair = {paired[0]:.3f}; estimate = accounted calls × "
             f"{bias:.1f} ns (one clock read pair, procsim-replay)")
    rep = Report(args, "account")
    rep.table(title, ["daemon", "daemon CPU s", "tool wall s",
                      "on/off per round", "accounted calls per run",
                      "estimated accounting cost"], rows)
    rep.table(f"account, in-process: the warm `ps aux`'s {reps[0]['requests']} "
              f"requests replayed by procsim-replay (idr, pinned to CPU 1, "
              f"thread CPU time, median of {max(runs, 5)} runs per invocation; "
              f"3 invocations, min–max), accounting off and on alternating",
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
