"""Scenario transport: issue 16's goals for each transport the machine
allows (-o transport=dev|uring), beside the kernel's own /proc, same run.

Also the helpers readdir uses to print those goals beside its own
figures: transports(), tools_by_transport(), goals_table()."""

import os
import subprocess
import time

from bench.common import (BUILD, CMD_TIMEOUT, PROCSIM_RUN, BenchError,
                          Daemon, Report, Sleepers, fmt_spread, measure,
                          progress, repeat, scenario, summarize)

PROCSIMCTL = os.path.join(BUILD, "procsimctl")
ENABLE_URING = "/sys/module/fuse/parameters/enable_uring"
ENABLE_CMD = f"echo Y > {ENABLE_URING}"

# Issue 16's goals (the bench prints them; no test times anything).
GOAL_COMMANDS = ["ps aux", "ps -ef", "top -b -n1", "pstree -p"]
GOAL_COLD = 1.5		# cold: <= 1.5x the kernel
GOAL_WARM = 0.8		# warm: <= 0.8x the kernel
GOAL_CTL_US = 25	# median ctl transaction on an idle machine


def uring_unavailable():
    """Why the daemon would fall back from transport=uring, or None.  Reads
    the fuse module's parameter; changes nothing."""
    try:
        with open(ENABLE_URING) as f:
            v = f.read().strip()
    except OSError:
        return "this kernel has no FUSE over io_uring (Linux 6.14+)"
    return None if v == "Y" else f"enable_uring is {v}; enable with: {ENABLE_CMD}"


class uring_for_run:
    """A `with` block in which transport=uring is available if root can
    make it so: as tools/test's uring stage does, enable_uring N is set to
    Y for the block, said on stderr, and restored to N after it (also on
    an error or Ctrl-C).  Otherwise nothing changes and transports() says
    why uring is not measured."""

    def __enter__(self):
        self.restore = False
        try:
            with open(ENABLE_URING) as f:
                was = f.read().strip()
        except OSError:
            return self
        if was == "N" and os.access(ENABLE_URING, os.W_OK):
            with open(ENABLE_URING, "w") as f:
                f.write("Y")
            self.restore = True
            progress(f"setting {ENABLE_URING} to Y for this run "
                     "(restored to N after it)")
        return self

    def __exit__(self, *exc):
        if self.restore:
            with open(ENABLE_URING, "w") as f:
                f.write("N")
            progress(f"{ENABLE_URING} restored to N")
        return False


def transports():
    """The transports to measure here: [(name, None)] for each available,
    plus ("uring", reason) when it is not (printed, not measured)."""
    why = uring_unavailable()
    return [("dev", None), ("uring", why)]


def check_transport(d, tr):
    """Refuse figures labelled uring that /dev/fuse produced."""
    if tr != "uring":
        return
    with open(d.mnt + ".log") as f:
        log = f.read()
    if "served over io_uring" not in log:
        raise BenchError(f"transport=uring did not start: {log.strip()[:300]}")


def renew_world(d, n):
    """Every process changes: a reset and the same seeded populate again."""
    for cmd in (["reset"], ["populate", str(n)]):
        subprocess.run([PROCSIMCTL, "-m", d.mnt] + cmd, check=True,
                       stdout=subprocess.DEVNULL, timeout=CMD_TIMEOUT)


def ctl_latency(mnt, cycles):
    """Seconds per ctl transaction (one line written, its reply read, on an
    open ctl file), for `cycles` rounds of fork 1 / exit / wait: the
    kernel's fork + waitpid, three transactions that leave the world as it
    was.  Returns (per-transaction list, per-cycle list)."""
    fd = os.open(os.path.join(mnt, "procsim", "ctl"), os.O_RDWR)
    each, cycle = [], []
    try:
        for _ in range(cycles):
            t_start = time.perf_counter()
            pid = None
            for line in ("fork 1", "exit {}", "wait 1 {}"):
                t0 = time.perf_counter()
                os.write(fd, (line.format(pid) + "\n").encode())
                reply = os.read(fd, 4096).decode()
                each.append(time.perf_counter() - t0)
                if reply.startswith("E"):
                    raise BenchError(f"ctl {line.format(pid)}: {reply.strip()}")
                pid = pid or reply.split()[0]
            cycle.append(time.perf_counter() - t_start)
    finally:
        os.close(fd)
    return each, cycle


def tools_on(tr, n, runs, ctl_cycles=0):
    """On a populate=n daemon over transport tr: {cmd: {"warm": samples,
    "cold": samples}} (cold: the first run after every process changed),
    and the ctl latency lists (or None)."""
    out, ctl = {}, None
    with Daemon(f"populate={n},transport={tr}") as d:
        check_transport(d, tr)
        for cmd in GOAL_COMMANDS:
            argv = [PROCSIM_RUN, "-m", d.mnt, "--"] + cmd.split()
            _, warm = repeat(argv, runs, f"{tr} {cmd} warm")
            cold = []
            for i in range(runs):
                renew_world(d, n)
                cold.append(measure(argv))
                progress(f"{tr} {cmd}: cold {i + 1}/{runs}: {cold[-1].wall:.3f} s")
            out[cmd] = {"warm": warm, "cold": cold}
        if ctl_cycles:
            ctl = ctl_latency(d.mnt, ctl_cycles)
    return out, ctl


def tools_by_transport(n, runs, have=None, ctl_cycles=0):
    """tools_on() for every available transport not already in `have`
    ({transport: {cmd: {"warm", "cold"}}}); returns (results, ctl by
    transport, {transport: reason} for those unavailable)."""
    res, ctl, skipped = dict(have or {}), {}, {}
    for tr, why in transports():
        if why:
            skipped[tr] = why
            progress(f"transport {tr}: not measured: {why}")
            continue
        if tr in res and not ctl_cycles:
            continue
        progress(f"transport {tr}: {n} processes")
        r, ctl[tr] = tools_on(tr, n, runs, ctl_cycles)
        res.setdefault(tr, r)
    return res, ctl, skipped


def _met(ratio, goal):
    return "met" if ratio <= goal else "not met"


def skipped_note(skipped):
    return "\n".join(f"transport {tr}: not measured here: {why}"
                     for tr, why in skipped.items()) or None


def goals_table(res, kern):
    """(header, rows): per command and run kind, the kernel, each transport
    with its ratio, and issue 16's goal.  kern: {cmd: samples}."""
    trs = list(res)
    header = ["command", "run", "kernel s"]
    for tr in trs:
        header += [f"{tr} s", f"{tr}/kernel", "goal"]
    rows = []
    for cmd in GOAL_COMMANDS:
        kw = summarize([s.wall for s in kern[cmd]])
        for kind, goal in (("cold", GOAL_COLD), ("warm", GOAL_WARM)):
            row = [f"`{cmd}`", kind, fmt_spread(kw)]
            for tr in trs:
                w = summarize([s.wall for s in res[tr][cmd][kind]])
                ratio = w[0] / kw[0]
                row += [fmt_spread(w), f"{ratio:.2f}×",
                        f"≤ {goal}×: {_met(ratio, goal)}"]
            rows.append(row)
    return header, rows


def ctl_table(ctl):
    """(header, rows) of the ctl latencies by transport."""
    rows = []
    for tr, (each, cycle) in ctl.items():
        e = summarize([x * 1e6 for x in each])
        c = summarize([x * 1e6 for x in cycle])
        q = sorted(x * 1e6 for x in each)
        p10, p90 = q[len(q) // 10], q[len(q) * 9 // 10]
        rows.append([tr, f"{e[0]:.0f}", f"{p10:.0f}–{p90:.0f}",
                     f"{c[0]:.0f} ({c[1]:.0f}–{c[2]:.0f})",
                     f"≤ {GOAL_CTL_US} µs: {_met(e[0], GOAL_CTL_US)}"])
    return (["transport", "ctl transaction median µs", "p10–p90 µs",
             "fork+exit+wait cycle µs (min–max)", "goal"], rows)


@scenario("transport", "issue 16's goals per transport (dev, uring where the "
          "kernel allows it): cold and warm ps aux, ps -ef, top -b -n1, "
          "pstree -p on 10,000 processes beside the kernel's /proc with "
          "10,000 sleepers, and ctl transaction latency")
def bench_transport(args):
    n = 1000 if args.quick else 10000
    runs = args.runs
    cycles = 200 if args.quick else 1000
    with uring_for_run():
        res, ctl, skipped = tools_by_transport(n, runs, ctl_cycles=cycles)
    kern = {}
    progress(f"transport: kernel /proc with {n} sleepers")
    with Sleepers(n):
        for cmd in GOAL_COMMANDS:
            _, kern[cmd] = repeat(cmd.split(), runs, f"kernel {cmd}")
    rep = Report(args, "transport")
    rep.table(f"transport: {n} processes (populate={n}; the kernel: {n} "
              f"sleepers), median of {runs} runs (min–max), procsim through "
              f"procsim-run; cold = the first run after reset + the same "
              f"populate; ratios of medians (the kernel: its warm runs, "
              f"single-threaded sleepers; `procsim-bench cold` times a "
              f"cold kernel with the same shape); load average at the end "
              f"{os.getloadavg()[0]:.1f}", *goals_table(res, kern),
              note=skipped_note(skipped))
    rep.table(f"ctl latency: {cycles} rounds of fork 1 / exit / wait on one "
              f"open ctl file (populate={n}; the kernel's fork+waitpid is "
              f"74 µs, ANCHORS seed 000)", *ctl_table(ctl))
    rows = []
    for tr, r in res.items():
        for cmd, kinds in r.items():
            for kind, samples in kinds.items():
                rows += [[tr, cmd, kind, i, f"{s.wall:.6f}"]
                         for i, s in enumerate(samples)]
    for cmd, samples in kern.items():
        rows += [["kernel", cmd, "-", i, f"{s.wall:.6f}"]
                 for i, s in enumerate(samples)]
    rep.csv("runs.csv", ["side", "command", "run_kind", "run", "wall_s"], rows)
    rep.done()
