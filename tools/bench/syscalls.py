"""Scenario syscalls: the cost of an emulated kill (issue 17).

A tool under procsim-run calls kill(pid, 0) in a loop; the figure is µs per
call, for four paths:
  emulated   a simulated pid: trapped, answered through the ctl file
  continued  the tool's own pid: trapped, found real, continued to the kernel
  untrapped  the tool's own pid under --no-syscalls: no filter at all
  ctl        the same "kill PID 0" written to the ctl file directly, one fd
             kept open (the emulated path without seccomp and the walk)
"""

import os
import subprocess

from bench.common import (CMD_TIMEOUT, PROCSIM_RUN, BenchError, Daemon,
                          Report, fmt_spread, progress, scenario, summarize)

LOOP = r"""
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
pid, n = int(sys.argv[1]) or os.getpid(), int(sys.argv[2])
libc.kill(pid, 0)
t = time.perf_counter()
for _ in range(n):
    if libc.kill(pid, 0):
        sys.exit(f"kill({pid}, 0): {os.strerror(ctypes.get_errno())}")
print((time.perf_counter() - t) / n * 1e6)
"""

CTL_LOOP = r"""
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
line, n = f"kill {sys.argv[2]} 0\n".encode(), int(sys.argv[3])
t = time.perf_counter()
for _ in range(n):
    os.write(fd, line)
    os.read(fd, 512)
print((time.perf_counter() - t) / n * 1e6)
"""


def _tool(mnt, argv, syscalls=True):
    cmd = [PROCSIM_RUN, "-m", mnt] + ([] if syscalls else ["--no-syscalls"])
    r = subprocess.run(cmd + ["--", *argv], capture_output=True, text=True,
                       timeout=CMD_TIMEOUT, check=False)
    if r.returncode:
        raise BenchError(f"{' '.join(argv[:3])}: {r.stderr.strip()}")
    return float(r.stdout)


@scenario("syscalls", "µs per kill(pid, 0) from a real tool: emulated on a "
          "simulated pid, continued on its own pid, untrapped, and the ctl "
          "command alone")
def bench_syscalls(args):
    iters = 300 if args.quick else 3000
    rep = Report(args, "syscalls")
    res, rows = {}, []
    with Daemon("populate=200") as d:
        ctl = os.path.join(d.mnt, "procsim", "ctl")
        target = d.ctl("fork 1")[0].split()[0]
        paths = {
            "emulated": lambda: _tool(d.mnt, ["python3", "-c", LOOP, target,
                                              str(iters)]),
            "continued": lambda: _tool(d.mnt, ["python3", "-c", LOOP, "0",
                                               str(iters)]),
            "untrapped": lambda: _tool(d.mnt, ["python3", "-c", LOOP, "0",
                                               str(iters)], syscalls=False),
            "ctl": lambda: float(subprocess.run(
                ["python3", "-c", CTL_LOOP, ctl, target, str(iters)],
                capture_output=True, text=True, check=True,
                timeout=CMD_TIMEOUT).stdout),
        }
        for r in range(args.runs + 1):	# run 0 is the warm-up
            for name, fn in paths.items():
                v = fn()
                if r:
                    res.setdefault(name, []).append(v)
                    rows.append([name, r, iters, f"{v:.2f}"])
            progress(f"syscalls: run {r}/{args.runs}")
    rep.csv("runs.csv", ["path", "run", "calls", "us_per_call"], rows)
    emu = summarize(res["emulated"])[0]
    rep.table(f"syscalls: kill(pid, 0) from a tool under procsim-run "
              f"({iters} calls per run, median of {args.runs} runs)",
              ["path", "µs per kill(pid, 0), median (min–max)", "× untrapped"],
              [[name, fmt_spread(summarize(v)),
                f"{summarize(v)[0] / summarize(res['untrapped'])[0]:.0f}"]
               for name, v in res.items()],
              f"An emulated kill costs {emu:.1f} µs, of which the ctl command "
              f"itself is {summarize(res['ctl'])[0]:.1f} µs.")
    rep.done()
