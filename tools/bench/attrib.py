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


def replay(traces, populate, pid_max, runs, ctl_file=None, pidstores="all"):
    """procsim-replay's rows: [{column: value}] per trace and backend."""
    if not os.access(REPLAY, os.X_OK):
        raise BenchError(f"no {REPLAY}: run tools/build first")
    argv = [REPLAY, "--populate", str(populate), "--pid-max", str(pid_max),
            "--runs", str(runs), "--pidstore", pidstores, "--check"]
    if ctl_file:
        argv += ["--ctl", ctl_file]
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
    con, coff = summarize(cpu["on"]), summarize(cpu["off"])
    calls = sum(c for c, _ in last.core.values()) + last.render[0]
    # The clock's cost per accounted call, as procsim-replay measures it.
    bias = None
    with tempfile.NamedTemporaryFile("w", suffix=".trace") as t:
        t.write("procsim-trace 1 cache=on\n")
        t.flush()
        rows = replay([t.name], 10, 32768, 1, pidstores="idr")
        bias = float(rows[0]["clock_bias_ns"])
    est = calls * bias / 1e9
    rows = [["account=off", f"{coff[0]:.4f} ({coff[1]:.4f}–{coff[2]:.4f})",
             f"{summarize(wall['off'])[0]:.3f}", "—", "—"],
            ["account=on", f"{con[0]:.4f} ({con[1]:.4f}–{con[2]:.4f})",
             f"{summarize(wall['on'])[0]:.3f}", f"{calls:,}",
             f"{est * 1000:.2f} ms ({est / con[0] * 100:.2f}%)"]]
    title = (f"account: warm `ps aux` on {n} processes, daemon CPU s per "
             f"run (schedstat, all threads), median of {runs} (min–max), "
             f"on/off = {con[0] / coff[0]:.3f}; estimate = accounted calls × "
             f"{bias:.1f} ns (one clock read pair)")
    rep = Report(args, "account")
    rep.table(title, ["daemon", "daemon CPU s", "tool wall s",
                      "accounted calls per run", "estimated accounting cost"],
              rows)
    rep.done()
