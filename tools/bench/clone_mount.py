"""Scenario clone-mount: readers against writers through the mount (issue
13).  T writer threads fork, exit and reap through ctl (`repeat N fork H;
exit $!; wait H $!` lines) while a reader runs `ps aux` (procsim-run) and
another reads every /proc/<pid>/stat with a timestamp around each read.
Once with -o ctl_lock=world (before: every ctl command under the world
lock held for writing) and once with ctl_lock=fine (after: fork, exit,
wait under the read lock and the core's fine locks).  Reports the
readers' longest stall, per request (client side and the daemon's own
wait for kernel_read_lock), and the writers' throughput."""

import os
import statistics
import threading
import time

from bench.common import (PROCSIM_RUN, BenchError, Daemon, Report, measure,
                          probe, progress, scenario)

WRITERS = [1, 2]
REPEAT = 50          # cycles per ctl line: a world-mode hold is this long


def ctl_fd(mnt):
    return os.open(os.path.join(mnt, "procsim", "ctl"), os.O_RDWR)


def ctl_line(fd, line):
    """One line through an open session; its reply."""
    os.write(fd, (line + "\n").encode())
    reply = os.read(fd, 1 << 16).decode()
    if reply.startswith("E"):
        raise BenchError(f"ctl: {line}: {reply.strip()}")
    return reply


def writer(mnt, home, stop, out, i):
    fd = ctl_fd(mnt)
    cycles, holds = 0, []
    line = f"repeat {REPEAT} fork {home}; exit $!; wait {home} $!"
    try:
        while not stop.is_set():
            t0 = time.monotonic()
            ctl_line(fd, line)
            holds.append(time.monotonic() - t0)
            cycles += REPEAT
    finally:
        os.close(fd)
    out[i] = (cycles, holds)


def stat_reader(mnt, stop, lat):
    """Every /proc/<pid>/stat in turn, open+read+close timed."""
    while not stop.is_set():
        for name in os.listdir(mnt):
            if not name.isdigit():
                continue
            t0 = time.monotonic()
            try:
                with open(os.path.join(mnt, name, "stat"), "rb") as f:
                    f.read()
            except OSError:
                pass	# gone meanwhile
            lat.append(time.monotonic() - t0)
            if stop.is_set():
                break


def ps_reader(mnt, stop, walls):
    argv = [PROCSIM_RUN, "-m", mnt, "--", "ps", "aux"]
    while not stop.is_set():
        s = measure(argv)
        if s.status != 0:
            raise BenchError(f"ps aux: exit {s.status}")
        walls.append(s.wall)


def one_run(mode, nwriters, secs, populate):
    """(writer cycles/s, ps walls, stat latencies, daemon stats delta)."""
    with Daemon(f"populate={populate},ctl_lock={mode}") as d:
        cfg = probe(["cat", os.path.join(d.mnt, "procsim", "config")]) or ""
        if f"ctl_lock {mode}" not in cfg:
            raise BenchError(f"daemon is not in ctl_lock={mode}")
        homes = [int(d.ctl(["fork 1"])[0]) for _ in range(nwriters)]
        d.ctl(["stats reset"])
        stop = threading.Event()
        outs, walls, lat = [None] * nwriters, [], []
        th = [threading.Thread(target=writer, args=(d.mnt, h, stop, outs, i))
              for i, h in enumerate(homes)]
        th.append(threading.Thread(target=ps_reader, args=(d.mnt, stop, walls)))
        th.append(threading.Thread(target=stat_reader, args=(d.mnt, stop, lat)))
        t0 = time.monotonic()
        for t in th:
            t.start()
        time.sleep(secs)
        stop.set()
        for t in th:
            t.join()
        el = time.monotonic() - t0
        st = d.stats()
        cycles = sum(o[0] for o in outs if o)
        holds = [h for o in outs if o for h in o[1]]
        return cycles / el, walls, lat, st, holds


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))] if v else None


def ms(v):
    return "—" if v is None else f"{v * 1e3:,.1f}"


def med_spread(vals, f=ms):
    if not vals:
        return "—"
    return f"{f(statistics.median(vals))} ({f(min(vals))}–{f(max(vals))})"


@scenario("clone-mount", "readers against writers through the mount: ps aux "
          "and per-file reads while T threads fork, exit and wait through "
          "ctl, with ctl_lock=world (before) and ctl_lock=fine (after): the "
          "longest reader stall (client side and the daemon's read-lock "
          "wait) and the writers' cycles/s")
def bench_clone_mount(args):
    secs = 1.5 if args.quick else 3.0
    runs = args.runs or 3
    populate = 100 if args.quick else 300
    rows, raw = [], []
    for nw in WRITERS:
        for mode in ("world", "fine"):
            thr, psmax, psmed, latmax, lat999, wmax, wmean, lines, slow = \
                [], [], [], [], [], [], [], [], []
            for r in range(runs):
                progress(f"clone-mount: ctl_lock={mode} writers={nw} run {r + 1}")
                x, walls, lat, st, holds = one_run(mode, nw, secs, populate)
                v = st.values if st else {}
                thr.append(x)
                psmax.append(max(walls) if walls else None)
                psmed.append(statistics.median(walls) if walls else None)
                latmax.append(max(lat) if lat else None)
                lat999.append(pct(lat, 0.999))
                n = v.get("read_lock_waits", 0)
                wmax.append(v.get("read_lock_wait_max_ns", 0) / 1e9)
                wmean.append(v.get("read_lock_wait_ns", 0) / n / 1e9 if n else 0)
                slow.append(100 * v.get("read_lock_waits_over_100us", 0) / n
                            if n else 0)
                lines.append(statistics.median(holds) if holds else None)
                raw.append([mode, nw, r, f"{x:.0f}", len(walls),
                            ms(psmed[-1]), ms(psmax[-1]), len(lat),
                            ms(lat999[-1]), ms(latmax[-1]), n,
                            f"{wmean[-1] * 1e6:.1f}", f"{wmax[-1] * 1e6:.0f}",
                            f"{slow[-1]:.2f}",
                            ms(lines[-1])])
            clean = lambda a: [e for e in a if e is not None]  # noqa: E731
            rows.append([
                f"{mode} ({'before' if mode == 'world' else 'after'})", nw,
                med_spread(thr, lambda e: f"{e:,.0f}"),
                med_spread(clean(psmed)), med_spread(clean(psmax)),
                med_spread(clean(lat999)), med_spread(clean(latmax)),
                med_spread(wmean, lambda e: f"{e * 1e6:,.1f}"),
                med_spread(wmax, lambda e: f"{e * 1e6:,.0f}"),
                med_spread(slow, lambda e: f"{e:.2f}"),
                med_spread(clean(lines)),
            ])
    header = ["ctl_lock", "writers", "writer cycles/s (fork+exit+wait)",
              "ps aux ms (median)", "ps aux ms (longest)",
              "stat read p99.9 ms", "stat read longest ms",
              "daemon read-lock wait mean µs", "daemon read-lock wait longest µs",
              "% of waits > 100 µs",
              f"one ctl line ({REPEAT} cycles) ms"]
    rep = Report(args, "clone-mount")
    rep.table(f"clone-mount: readers against ctl writers, populate={populate}, "
              f"{runs} runs of {secs} s each, median (min–max)", header, rows,
              note="daemon read-lock wait: what a request spent in "
              "kernel_read_lock() (/proc/procsim/stats read_lock_*), the "
              "reader's stall behind writers at the daemon; with "
              "ctl_lock=world a writer holds the world for a whole ctl line "
              f"({REPEAT} cycles), with fine for one op's tasklist_lock hold.  "
              "Client-side times include FUSE, the page cache and this "
              "2-CPU machine's scheduling.")
    rep.csv("clone-mount.csv",
            ["ctl_lock", "writers", "run", "cycles_s", "ps_runs", "ps_med_ms",
             "ps_max_ms", "stat_reads", "stat_p999_ms", "stat_max_ms",
             "read_lock_waits", "read_lock_wait_mean_us",
             "read_lock_wait_max_us", "slow_pct", "ctl_line_med_ms"], raw)
    rep.done()
