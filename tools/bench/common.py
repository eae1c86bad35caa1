"""Shared measuring, summarising and output helpers for the scenarios."""

import csv
import ctypes
import io
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("PROCSIM_BUILD", os.path.join(REPO, "build"))
PROCSIM_RUN = os.path.join(REPO, "tools", "procsim-run")
CMD_TIMEOUT = 300  # seconds for any one measured command

SCENARIOS = {}


def scenario(name, description):
    """Register a benchmark: fn(args) -> None."""
    def register(fn):
        SCENARIOS[name] = (fn, description)
        return fn
    return register


def progress(msg):
    print(f"procsim-bench: {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- measuring

class Sample:
    """One run of one command: wall/user/sys seconds, exit status."""
    __slots__ = ("wall", "user", "sys", "status", "fuse")

    def __init__(self, wall, user, sys_, status, fuse=None):
        self.wall, self.user, self.sys = wall, user, sys_
        self.status, self.fuse = status, fuse


def measure(argv, timeout=CMD_TIMEOUT):
    """Run argv with stdout to /dev/null; its wall time and the rusage of it
    and every descendant it reaped (os.wait4).  stderr is kept for errors."""
    with tempfile.TemporaryFile() as err:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        t0 = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ,
                              file_actions=actions, setsid=True)
        timer = threading.Timer(timeout, _killpg_quietly, (pid,))
        timer.start()
        try:
            _, status, ru = os.wait4(pid, 0)
        finally:
            timer.cancel()
            timer.join()
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            msg = err.read(2000).decode(errors="replace").strip()
            raise BenchError(f"{' '.join(argv)}: exit {code}: {msg}")
        return Sample(wall, ru.ru_utime, ru.ru_stime, code)


def _killpg_quietly(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def summarize(values):
    """(median, min, max) of a list, or None for an empty list."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def repeat(argv, runs, label, stats=None):
    """One warm-up run, then `runs` measured ones: returns (warm-up sample,
    samples); only the latter count in medians.  With stats (a callable
    returning FUSE request counts), each sample also gets the number of
    FUSE requests the run caused."""
    samples = []
    for i in range(runs + 1):
        before = stats() if stats else None
        s = measure(argv)
        if before is not None:
            after = stats()
            s.fuse = after - before if after is not None else None
        samples.append(s)
        what = f"run {i}/{runs}" if i else "warm-up"
        progress(f"{label}: {what}: {s.wall:.3f} s")
    return samples[0], samples[1:]


# ---------------------------------------------------------------- the daemon

class Stats:
    """/proc/procsim/stats parsed (fs/stats.h, docs/replay.md): the one
    parser.  .fuse {op: (count, ns)}, .core {item: (count, ns)}, .render,
    .request (count, ns), .other ns, .values {key: int} for the rest."""

    PID_ITEMS = ("pid_lookup", "pid_next", "pid_next_leader", "pid_alloc",
                 "pid_free")

    def __init__(self, text=""):
        self.fuse, self.core, self.values = {}, {}, {}
        self.render = self.request = (0, 0)
        self.other, self.account = 0, None
        for line in text.splitlines():
            tok = line.split()
            if len(tok) == 4 and tok[0] in ("fuse", "core"):
                getattr(self, tok[0])[tok[1]] = (int(tok[2]), int(tok[3]))
            elif len(tok) == 3 and tok[0] in ("render", "request"):
                setattr(self, tok[0], (int(tok[1]), int(tok[2])))
            elif len(tok) == 2 and tok[0] == "other":
                self.other = int(tok[1])
            elif len(tok) == 2 and tok[0] == "account":
                self.account = tok[1] == "on"
            elif len(tok) == 2 and tok[1].isdigit():
                self.values[tok[0]] = int(tok[1])

    def __sub__(self, old):
        d = Stats()
        d.fuse = {k: tuple(a - b for a, b in zip(v, old.fuse.get(k, (0, 0))))
                  for k, v in self.fuse.items()}
        d.core = {k: tuple(a - b for a, b in zip(v, old.core.get(k, (0, 0))))
                  for k, v in self.core.items()}
        d.render = tuple(a - b for a, b in zip(self.render, old.render))
        d.request = tuple(a - b for a, b in zip(self.request, old.request))
        d.other = self.other - old.other
        d.account, d.values = self.account, dict(self.values)
        return d

    def requests(self):
        return sum(n for n, _ in self.fuse.values())

    def by_op(self):
        return {op: n for op, (n, _) in self.fuse.items()}

    def pid_ns(self):
        return sum(self.core.get(i, (0, 0))[1] for i in self.PID_ITEMS)

    def core_ns(self, item):
        return self.core.get(item, (0, 0))[1]


def cpu_ns(pid):
    """CPU ns all of pid's threads have run (schedstat's first field): what
    the process spent, whatever else the machine runs."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass		# a worker thread that just ended
    return total


class CoreOutput:
    """What a corebench-* driver printed: .text, and its CSV as .dicts()
    (a header line) or .rows() (none)."""

    def __init__(self, text):
        self.text = text

    def dicts(self):
        return list(csv.DictReader(io.StringIO(self.text)))

    def rows(self):
        return [r for r in csv.reader(io.StringIO(self.text)) if r]


def corebench(name, *argv, timeout=CMD_TIMEOUT, label=None):
    """Run build/corebench-<name> argv: its CoreOutput (BenchError if it is
    missing or fails).  With label, say on stderr what runs."""
    exe = os.path.join(BUILD, f"corebench-{name}")
    if not os.access(exe, os.X_OK):
        raise BenchError(f"no {exe}: run tools/build first")
    argv = [exe, *map(str, argv)]
    if label:
        progress(f"{label}: {' '.join(argv)}")
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       check=False)
    if r.returncode != 0:
        raise BenchError(f"{' '.join(argv)}: exit {r.returncode}: "
                         f"{r.stderr.strip()}")
    return CoreOutput(r.stdout)


def probe(argv, timeout=10):
    """stdout of a short command that touches the mount, or None if it
    fails or hangs (a wedged daemon must not hang the bench)."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    return r.stdout if r.returncode == 0 else None


class Daemon:
    """build/procsim -f on a fresh temp mountpoint, for a `with` block."""

    def __init__(self, options, flags=()):
        # The daemon warms the page cache after every populate (-o warm=on,
        # docs/serving.md); the benches measure the cold path, so they run
        # without it unless a scenario asks for warm= itself.
        if "warm=" not in options:
            options = f"{options},warm=off" if options else "warm=off"
        self.options = options
        self.flags = list(flags)	# more daemon flags, e.g. ["-s"]
        self.exe = os.path.join(BUILD, "procsim")
        self.mnt = None
        self.proc = None
        self.stats_cost = 0

    def __enter__(self):
        if not os.access(self.exe, os.X_OK):
            raise BenchError(f"no {self.exe}: run tools/build first")
        self.mnt = tempfile.mkdtemp(prefix="procsim-bench.")
        self.log = open(self.mnt + ".log", "w+")
        self.proc = subprocess.Popen(
            [self.exe, "-f", *self.flags, "-o", self.options, self.mnt],
            stdout=self.log, stderr=subprocess.STDOUT)
        ctl = os.path.join(self.mnt, "procsim", "ctl")
        deadline = time.monotonic() + 120
        while probe(["test", "-e", ctl]) is None:
            if self.proc.poll() is not None:
                self.__exit__(None, None, None)
                raise BenchError(f"procsim exited {self.proc.returncode}")
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise BenchError(f"no {ctl} after 120 s")
            time.sleep(0.05)
        # Reading the stats file is itself a few requests: measure that.
        a, b = self.fuse_requests(), self.fuse_requests()
        self.stats_cost = (b - a) if a is not None and b is not None else 0
        return self

    def stats(self):
        """/proc/procsim/stats now, parsed; None if it cannot be read."""
        text = probe(["cat", os.path.join(self.mnt, "procsim", "stats")])
        return Stats(text) if text else None

    def fuse_requests(self):
        s = self.stats()
        if s is None or not s.fuse:
            return None
        return s.requests() - self.stats_cost

    def fuse_by_op(self):
        """{opcode: count} from the stats file."""
        s = self.stats()
        return s.by_op() if s else {}

    def ctl(self, lines):
        """Write ctl lines (a list, or one line as a str) through one open
        of the control file; the reply lines (BenchError on an error
        reply).  The bench's only ctl client besides procsimctl itself."""
        if isinstance(lines, str):
            lines = [lines]
        return ctl_session(self.mnt, lines)

    def cpu_ns(self):
        """The daemon's CPU time so far, all threads, in ns (schedstat)."""
        return cpu_ns(self.proc.pid)

    def cpu_seconds(self):
        return self.cpu_ns() / 1e9

    def rss_bytes(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return None

    def __exit__(self, *exc):
        if self.mnt and os.path.ismount(self.mnt):
            # A mount with a million processes' inodes takes more than 30 s
            # to unmount (the kernel evicts each): then detach it lazily.
            try:
                subprocess.run(["fusermount3", "-u", self.mnt], timeout=30,
                               stderr=subprocess.DEVNULL, check=False)
            except subprocess.TimeoutExpired:
                progress(f"{self.mnt}: unmount still busy after 30 s: "
                         "detaching it")
            if os.path.ismount(self.mnt):
                subprocess.run(["fusermount3", "-u", "-z", self.mnt],
                               timeout=30, check=False)
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.mnt:
            try:
                os.rmdir(self.mnt)
            except OSError:
                pass
            self.log.close()
            os.unlink(self.mnt + ".log")
        return False


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


# ---------------------------------------------------------------- sleepers

PR_SET_PDEATHSIG = 1


class Sleepers:
    """n real `sleep` processes, killed on exit from the `with` block (and
    by PR_SET_PDEATHSIG should this process die without cleaning up).
    With threads (a list of extra-thread counts, one per process), process
    i runs build/bench-sleeper with threads[i] more threads instead, and
    n is len(threads)."""

    def __init__(self, n, threads=None):
        self.threads = list(threads) if threads is not None else None
        self.n = len(self.threads) if threads is not None else n
        self.pids = []

    def __enter__(self):
        self._check_room()
        libc = ctypes.CDLL(None, use_errno=True)
        sleep = shutil.which("sleep") or "/bin/sleep"
        helper = os.path.join(BUILD, "bench-sleeper")
        if self.threads is not None and not os.access(helper, os.X_OK):
            raise BenchError(f"no {helper}: run tools/build first")
        parent = os.getpid()
        try:
            for i in range(self.n):
                pid = os.fork()
                if pid == 0:  # child: die with the bench, then sleep
                    try:
                        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
                        if os.getppid() != parent:
                            os._exit(0)
                        devnull = os.open("/dev/null", os.O_RDWR)
                        for fd in (0, 1, 2):
                            os.dup2(devnull, fd)
                        if self.threads is None:
                            os.execv(sleep, ["sleep", "3600"])
                        os.execv(helper, ["bench-sleeper",
                                          str(self.threads[i])])
                    finally:
                        os._exit(127)
                self.pids.append(pid)
                if (i + 1) % 1000 == 0:
                    progress(f"kernel: {i + 1}/{self.n} sleepers")
            self._await_threads()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _await_threads(self, timeout=120):
        """Return once every helper has started all its threads."""
        if not self.threads:
            return
        todo = [(p, k + 1) for p, k in zip(self.pids, self.threads) if k]
        deadline = time.monotonic() + timeout
        while todo:
            todo = [(p, k) for p, k in todo
                    if len(os.listdir(f"/proc/{p}/task")) < k]
            if todo and time.monotonic() > deadline:
                raise BenchError(f"{len(todo)} sleepers still short of "
                                 f"threads after {timeout} s")
            if todo:
                time.sleep(0.1)
        progress(f"kernel: {self.n} sleepers, {sum(self.threads)} extra "
                 "threads up")

    def _check_room(self):
        with open("/proc/sys/kernel/pid_max") as f:
            pid_max = int(f.read())
        tasks = int(open("/proc/loadavg").read().split()[3].split("/")[1])
        want = self.n + sum(self.threads or ())
        if tasks + want + 200 > pid_max:
            raise BenchError(f"{want} sleeping tasks do not fit: {tasks} "
                             f"tasks, pid_max {pid_max}")
        avail = 0
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1])
        if avail and avail < self.n * 300:  # ~300 KiB each, generously
            raise BenchError(f"{self.n} sleepers need ~{self.n * 300 // 1024}"
                             f" MiB, only {avail // 1024} MiB available")

    def __exit__(self, *exc):
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in self.pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        if self.pids:
            progress(f"kernel: killed {len(self.pids)} sleepers")
        self.pids = []
        return False


# ---------------------------------------------------------------- output

def fmt_spread(t):
    if t is None:
        return "n/a"
    med, lo, hi = t
    return f"{med:.3f} ({lo:.3f}–{hi:.3f})"


def fmt_s(t):
    return "n/a" if t is None else f"{t[0]:.3f}"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def png_terminal():
    """'pngcairo' or 'png', whichever this gnuplot has; None: no gnuplot."""
    if not shutil.which("gnuplot"):
        return None
    out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True,
                         text=True, timeout=30, check=False)
    names = {line.split()[0] for line in (out.stdout + out.stderr).splitlines()
             if line.strip()}
    for term in ("pngcairo", "png"):
        if term in names:
            return term
    return None


def _gnuplot(script, outdir, name):
    """Run a gnuplot script in outdir; warn on failure."""
    term = png_terminal()
    if term is None:
        progress("no gnuplot with a png terminal: no plot")
        return
    path = os.path.join(outdir, f"{name}.gp")
    with open(path, "w") as f:
        f.write(script.replace("TERMINAL", term))
    r = subprocess.run(["gnuplot", path], cwd=outdir, capture_output=True,
                       text=True, timeout=120, check=False)
    if r.returncode != 0:
        progress(f"gnuplot failed: {r.stderr.strip()}")


class Series:
    """One line or bar group of a Plot: title and points.  A point is
    (x, y) or (x, median, min, max); style is extra gnuplot style words
    (e.g. "dt 2"); axis "x1y2" puts it on the right-hand scale."""

    def __init__(self, title, points, style="", axis=None):
        self.title, self.points = title, list(points)
        self.style, self.axis = style, axis


class Plot:
    """A chart described, not scripted.  kind: "lines" (numeric x, error
    bars when the points carry min and max), "bars" (x = category names,
    one bar per series in each cluster) or "points" (x = category names,
    each y jittered, for a cloud of samples).  log: "x", "y" or "xy"."""

    def __init__(self, name, title, xlabel, ylabel, series, kind="lines",
                 log="", key="top left", y2label=None, size=(900, 500)):
        self.name, self.title, self.series, self.kind = name, title, series, kind
        self.xlabel, self.ylabel, self.y2label = xlabel, ylabel, y2label
        self.log, self.key, self.size = log, key, size

    def _head(self):
        h = [f"set terminal TERMINAL size {self.size[0]},{self.size[1]} "
             "noenhanced", f"set output '{self.name}.png'",
             f'set title "{self.title}"', f"set ylabel '{self.ylabel}'",
             f"set key {self.key}", "set grid"]
        if self.xlabel:
            h.append(f"set xlabel '{self.xlabel}'")
        if self.log:
            h.append(f"set logscale {self.log}")
        if self.y2label:
            h += [f"set y2label '{self.y2label}'", "set y2tics"]
            if "y" in self.log:
                h.append("set logscale y2")
        return h

    def render(self, outdir):
        """Write the .dat files and the script, and run gnuplot."""
        head = self._head()
        if self.kind == "bars":
            cats = [p[0] for p in self.series[0].points]
            err = len(self.series[0].points[0]) == 4
            with open(os.path.join(outdir, f"{self.name}.dat"), "w") as f:
                for i, c in enumerate(cats):
                    f.write(f'"{c}" ' + " ".join(
                        " ".join(f"{v:.6g}" for v in s.points[i][1:])
                        for s in self.series) + "\n")
            head += ["set style data histogram",
                     "set style histogram " +
                     ("errorbars gap 2 lw 1" if err else "cluster gap 1"),
                     "set style fill solid 0.6 border -1"]
            w = 3 if err else 1
            plots = []
            for i, s in enumerate(self.series):
                cols = (f"{2 + w * i}:{3 + w * i}:{4 + w * i}" if err
                        else f"{2 + i}")
                src = f"'{self.name}.dat'" if i == 0 else "''"
                plots.append(f"{src} using {cols}" +
                             (":xtic(1)" if i == 0 else "") +
                             f" title '{s.title}'")
        else:
            plots = []
            cats = []
            if self.kind == "points":
                cats = [s.title for s in self.series]
                head += ["set xtics (" + ", ".join(
                    f'"{c}" {i}' for i, c in enumerate(cats)) + ")",
                    f"set xrange [-0.5:{len(cats) - 0.5}]"]
            for i, s in enumerate(self.series):
                dat = f"{self.name}-{i}.dat"
                with open(os.path.join(outdir, dat), "w") as f:
                    for p in s.points:
                        f.write(" ".join(f"{v:.6g}" for v in p) + "\n")
                if self.kind == "points":
                    plots.append(f"'{dat}' using ($1 + (rand(0) - 0.5) * 0.3)"
                                 ":2 with points pt 7 ps 0.5 notitle")
                    continue
                err = s.points and len(s.points[0]) == 4
                how = ("using 1:2:3:4 with yerrorlines" if err else
                       "using 1:2 with linespoints")
                if s.style:
                    how = f"using 1:2 with lines {s.style}"
                axis = f" axes {s.axis}" if s.axis else ""
                plots.append(f"'{dat}' {how}{axis} title '{s.title}'")
        _gnuplot("\n".join(head) + "\nplot " + ", \\\n     ".join(plots)
                 + "\n", outdir, self.name)


class Report:
    """One scenario's output from one description: each section (a title,
    a markdown table, an optional note) is printed on stdout as it is added
    and kept for OUT/<scenario>/<md>; CSV files and plots go beside it.

        rep = Report(args, "wait")
        rep.table("wait, core API", header, rows, note="...")
        rep.csv("runs.csv", header, rows)
        rep.plot(Plot(...))
        rep.save()
    """

    def __init__(self, args, name, md=None):
        self.name = name
        self.out = outdir_for(args, name)
        self.md = md or f"{name}.md"
        self.sections = []
        self.files = []

    def table(self, title, header, rows, note=None, echo=True):
        text = f"### {title}\n\n{markdown_table(header, rows)}\n"
        if note:
            text += f"\n{note}\n"
        self.sections.append(text)
        if echo:
            print("\n" + text, flush=True)
        return text

    def csv(self, name, header, rows):
        write_csv(os.path.join(self.out, name), header, rows)
        self.files.append(name)

    def raw(self, name, text):
        """A file written as is (a driver's own CSV output, say)."""
        with open(os.path.join(self.out, name), "w") as f:
            f.write(text)
        self.files.append(name)

    def plot(self, plot):
        plot.render(self.out)
        self.files.append(f"{plot.name}.png")

    def save(self, extra=""):
        """Write the markdown file (again: a long scenario saves after each
        step so an interrupted run keeps what it measured)."""
        with open(os.path.join(self.out, self.md), "w") as f:
            f.write("\n".join(self.sections) + extra)

    def done(self, extra=""):
        self.save(extra)
        files = [self.md] + sorted(set(self.files))
        progress(f"{self.name}: wrote {self.out}/{{{','.join(files)}}}")


def outdir_for(args, name):
    d = os.path.join(args.out, name)
    os.makedirs(d, exist_ok=True)
    return d
