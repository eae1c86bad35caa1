"""Scenario uring-proto: FUSE over io_uring against /dev/fuse, measured with
the prototype server build/uring-proto on a synthetic ps-like tree (issue
16, docs/transport.md).  Same binary, same tree, same answers on every
side; only the transport and the CPU placement change."""

import csv
import io
import os
import resource
import select
import statistics
import subprocess
import tempfile

from bench.common import (BUILD, CMD_TIMEOUT, BenchError, Report, cpu_ns,
                          progress, scenario, summarize)

ENABLE_URING = "/sys/module/fuse/parameters/enable_uring"

# (label, serve flags, driver CPU or None)
CONFIGS = [
    ("dev, 1 thread", ["--transport=dev", "--threads=1"], None),
    ("dev, 2 threads", ["--transport=dev", "--threads=2"], None),
    ("dev, 2 threads, one pinned per CPU",
     ["--transport=dev", "--threads=2", "--cpu=each"], None),
    ("dev, 1 thread, server and driver on CPU 1",
     ["--transport=dev", "--threads=1", "--cpu=1"], 1),
    ("dev, 1 thread, server on CPU 0, driver on CPU 1",
     ["--transport=dev", "--threads=1", "--cpu=0"], 1),
    ("uring, a queue per CPU", ["--transport=uring"], None),
    ("uring, driver on CPU 1", ["--transport=uring"], 1),
    ("uring, DEFER_TASKRUN", ["--transport=uring", "--defer-taskrun"], None),
    # The daemon spends ~16 µs of CPU per request (issue 16): the same
    # placements with that much work per request.
    ("dev, 1 thread, +16 µs work", ["--transport=dev", "--work=16"], None),
    ("dev, 1 thread, server and driver on CPU 1, +16 µs work",
     ["--transport=dev", "--cpu=1", "--work=16"], 1),
    ("uring, +16 µs work", ["--transport=uring", "--work=16"], None),
]
PASSES = ["cold", "warm"]

# Two drivers at once, each over its half of the tree: (label, serve
# flags, the drivers' CPUs).  Can the server use both CPUs and stay local?
CONFIGS2 = [
    ("dev, 1 thread", ["--transport=dev", "--threads=1"], (0, 1)),
    ("dev, 2 threads", ["--transport=dev", "--threads=2"], (0, 1)),
    ("dev, 1 thread, server and both drivers on CPU 1",
     ["--transport=dev", "--threads=1", "--cpu=1"], (1, 1)),
    ("uring, a queue per CPU", ["--transport=uring"], (0, 1)),
]


def _work(flags):
    return next((f for f in flags if f.startswith("--work")), None)


class UringParam:
    """enable_uring=Y for the `with` block when root may set it, restored
    after; .reason says why uring is unavailable, or is None."""

    def __init__(self):
        self.old = None
        self.reason = None

    def __enter__(self):
        try:
            with open(ENABLE_URING) as f:
                self.old = f.read().strip()
        except OSError:
            self.reason = (f"no {ENABLE_URING}: this kernel has no FUSE over "
                           "io_uring (Linux 6.14+, CONFIG_FUSE_IO_URING)")
            return self
        if self.old != "Y":
            progress(f"uring-proto: setting {ENABLE_URING}=Y for this run "
                     f"(was {self.old}; restored at the end)")
            try:
                with open(ENABLE_URING, "w") as f:
                    f.write("Y")
            except OSError as e:
                self.reason = f"cannot set {ENABLE_URING}: {e.strerror}"
                self.old = None
        return self

    def __exit__(self, *exc):
        if self.old is not None and self.old != "Y":
            with open(ENABLE_URING, "w") as f:
                f.write(self.old)
            progress(f"uring-proto: {ENABLE_URING} restored to {self.old}")
        return False


class Server:
    """build/uring-proto serve on a fresh mountpoint, for a `with` block."""

    class Unavailable(Exception):
        pass

    def __init__(self, exe, flags, dirs):
        self.argv = [exe, "serve", f"--dirs={dirs}", *flags]
        self.mnt = None
        self.proc = None

    def __enter__(self):
        self.mnt = tempfile.mkdtemp(prefix="uring-proto.")
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.argv + [self.mnt],
                                     stdout=subprocess.PIPE, stderr=self.err)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("ready"):
            code = self.proc.poll()
            self.__exit__(None, None, None)
            self.err.seek(0)
            msg = self.err.read(2000).decode(errors="replace").strip()
            if code == 3:
                raise Server.Unavailable(msg)
            raise BenchError(f"{' '.join(self.argv)}: not ready: {msg}")
        return self

    def __exit__(self, *exc):
        if self.mnt and os.path.ismount(self.mnt):
            subprocess.run(["umount", self.mnt], timeout=30, check=False,
                           stderr=subprocess.DEVNULL)
            if os.path.ismount(self.mnt):
                subprocess.run(["umount", "-l", self.mnt], timeout=30,
                               check=False)
        if self.proc:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
        if self.mnt:
            try:
                os.rmdir(self.mnt)
            except OSError:
                pass
        self.err.close()
        return False


def _one_run(exe, flags, driver_cpu, dirs):
    """{pass: (wall s, requests, server CPU ns, driver CPU ns)} of one
    fresh mount."""
    out = {}
    with Server(exe, flags, dirs) as srv:
        for p in PASSES:
            argv = [exe, "drive", f"--dirs={dirs}", f"--passes={p}"]
            if driver_cpu is not None:
                argv.append(f"--cpu={driver_cpu}")
            cpu0 = cpu_ns(srv.proc.pid)
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            r = subprocess.run(argv + [srv.mnt], capture_output=True,
                               text=True, timeout=CMD_TIMEOUT, check=False)
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu1 = cpu_ns(srv.proc.pid)
            drv = (ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime)
            if r.returncode != 0:
                raise BenchError(f"{' '.join(argv)}: {r.stderr.strip()}")
            row = next(csv.DictReader(io.StringIO(r.stdout)))
            if "uring" in flags[0] and int(row["total"]) - int(row["ring"]) > 1:
                raise BenchError(f"{' '.join(flags)}: {row['total']} requests,"
                                 f" only {row['ring']} through the ring")
            out[p] = (float(row["wall_s"]), int(row["total"]), cpu1 - cpu0,
                      drv * 1e9)
    return out


def _two_run(exe, flags, cpus, dirs):
    """{pass: (wall s of the slower driver, server CPU ns)}: two drivers
    started together on one fresh mount, each over half the tree."""
    out = {}
    half = dirs // 2
    with Server(exe, flags, dirs) as srv:
        for p in PASSES:
            cpu0 = cpu_ns(srv.proc.pid)
            procs = [subprocess.Popen(
                [exe, "drive", f"--dirs={dirs}", f"--from={i * half}",
                 f"--count={half}", f"--passes={p}", f"--cpu={c}", srv.mnt],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for i, c in enumerate(cpus)]
            walls = []
            for pr in procs:
                o, e = pr.communicate(timeout=CMD_TIMEOUT)
                if pr.returncode != 0:
                    raise BenchError(f"two drivers: {e.strip()}")
                walls.append(float(next(csv.DictReader(io.StringIO(o)))["wall_s"]))
            out[p] = (max(walls), cpu_ns(srv.proc.pid) - cpu0)
    return out


@scenario("uring-proto", "FUSE over io_uring against /dev/fuse (1 and 2 "
          "threads, pinned): µs per request of a cold and a warm ps-like "
          "pass, with the prototype build/uring-proto")
def bench_uring_proto(args):
    exe = os.path.join(BUILD, "uring-proto")
    if not os.access(exe, os.X_OK):
        raise BenchError(f"no {exe}: tools/build builds it where liburing "
                         "is installed (tools/deps)")
    if os.geteuid() != 0:
        raise BenchError("uring-proto mounts with mount(2): run as root")
    dirs = 2000 if args.quick else 10000
    ncpu = os.cpu_count() or 1
    configs = [c for c in CONFIGS if c[2] is None or c[2] < ncpu]
    samples = {c[0]: [] for c in configs}
    samples2 = {c[0]: [] for c in CONFIGS2}
    load0 = os.getloadavg()[0]
    skipped = {}
    with UringParam() as param:
        if param.reason:
            skipped = {c[0]: param.reason for c in configs if "uring" in c[1][0]}
        # Rounds interleave the configurations, so a noisy second on a
        # shared machine smears over all of them; round 0 is a warm-up.
        for rnd in range(args.runs + 1):
            for label, flags, cpu in configs:
                if label in skipped:
                    continue
                try:
                    res = _one_run(exe, flags, cpu, dirs)
                except Server.Unavailable as e:
                    skipped[label] = str(e).splitlines()[-1]
                    progress(f"uring-proto: {label}: skipped: {skipped[label]}")
                    continue
                if rnd:
                    samples[label].append(res)
                progress(f"uring-proto: {label}: "
                         f"{'run ' + str(rnd) if rnd else 'warm-up'}: "
                         + ", ".join(f"{p} {res[p][0] * 1000:.0f} ms"
                                     for p in PASSES))
        configs2 = [c for c in CONFIGS2 if max(c[2]) < ncpu]
        for rnd in range(args.runs + 1):
            for label, flags, cpus in configs2:
                if label in skipped:
                    continue
                res = _two_run(exe, flags, cpus, dirs)
                if rnd:
                    samples2[label].append(res)
                progress(f"uring-proto: two drivers: {label}: "
                         f"{'run ' + str(rnd) if rnd else 'warm-up'}: "
                         + ", ".join(f"{p} {res[p][0] * 1000:.0f} ms"
                                     for p in PASSES))
    header = ["transport", "pass", "requests/dir", "wall ms (min–max)",
              "µs/request", "CPU µs/request: server + driver",
              "÷ dev, 1 thread, same work (paired)"]
    rows, csv_rows = [], []
    for label, flags, _ in configs:
        base = next(c[0] for c in configs if _work(c[1]) == _work(flags))
        if label in skipped:
            rows.append([label, "—", "—", f"skipped: {skipped[label]}",
                         "—", "—", "—"])
            continue
        for p in PASSES:
            walls = [s[p][0] for s in samples[label]]
            rq = statistics.median(s[p][1] for s in samples[label])
            srv = statistics.median(s[p][2] for s in samples[label]) / rq / 1e3
            drv = statistics.median(s[p][3] for s in samples[label]) / rq / 1e3
            med, lo, hi = summarize(walls)
            # Each round ran every configuration back to back: the ratio
            # within a round cancels most of what the neighbours did.
            ratios = [a[p][0] / b[p][0]
                      for a, b in zip(samples[label], samples[base])]
            rows.append([label, p, f"{rq / dirs:.1f}",
                         f"{med * 1e3:.0f} ({lo * 1e3:.0f}–{hi * 1e3:.0f})",
                         f"{med / rq * 1e6:.2f}", f"{srv:.2f} + {drv:.2f}",
                         f"{statistics.median(ratios):.2f}"])
            for i, s in enumerate(samples[label]):
                csv_rows.append([label, p, i + 1, dirs, f"{s[p][0]:.6f}",
                                 s[p][1], s[p][2], f"{s[p][3]:.0f}"])
    title = (f"uring-proto: a ps-like pass over {dirs} directories (stat dir, "
             f"open + read + close its stat) on a fresh mount (cold) and "
             f"again (warm); medians of {args.runs} runs, {ncpu} CPUs, load "
             f"average {load0:.1f} before, {os.getloadavg()[0]:.1f} after")
    rows2 = []
    base2 = CONFIGS2[0][0]
    for label, _, cpus in CONFIGS2:
        if not samples2.get(label):
            continue
        for p in PASSES:
            med, lo, hi = summarize([s[p][0] for s in samples2[label]])
            srv = statistics.median(s[p][1] for s in samples2[label])
            ratios = [a[p][0] / b[p][0]
                      for a, b in zip(samples2[label], samples2[base2])]
            rows2.append([label, f"{cpus[0]}, {cpus[1]}", p,
                          f"{med * 1e3:.0f} ({lo * 1e3:.0f}–{hi * 1e3:.0f})",
                          f"{med / dirs * 1e6:.1f}",
                          f"{srv / dirs / 1e3:.1f}",
                          f"{statistics.median(ratios):.2f}"])
            for i, s in enumerate(samples2[label]):
                csv_rows.append([f"two drivers: {label}", p, i + 1, dirs,
                                 f"{s[p][0]:.6f}", "", s[p][1], ""])
    title2 = (f"uring-proto, two drivers at once (each over {dirs // 2} "
              f"directories, pinned to the CPUs shown): the slower one's wall")
    rep = Report(args, "uring-proto")
    rep.table(title, header, rows)
    if rows2:
        rep.table(title2, ["transport", "drivers' CPUs", "pass",
                           "wall ms (min–max)", "µs/dir", "server CPU µs/dir",
                           f"÷ {base2} (paired)"], rows2)
    rep.csv("runs.csv", ["transport", "pass", "run", "dirs", "wall_s",
                         "requests", "server_cpu_ns", "driver_cpu_ns"],
            csv_rows)
    rep.done()
