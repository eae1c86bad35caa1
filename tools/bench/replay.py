"""Scenario replay: one recorded process-event trace (docs/record.md)
through the core under every pid store, wait strategy, VMA store and
watcher mechanism (corebench-replay), then ps aux and pstree -p over the
world at the trace's busiest moment, through a mount, per pid store."""

import os
import statistics

from bench.common import (CMD_TIMEOUT, PROCSIM_RUN, REPO, Daemon, Report,
                          corebench, fmt_spread, progress, repeat, scenario,
                          summarize)

FIXTURE = os.path.join(REPO, "tests", "fixtures", "replay-small.events")


def _busiest(trace):
    """(events in, seconds, tasks made) at the trace's busiest moment, as
    event_trace.c's find_busiest counts it."""
    live = best = at = n = ts = 0
    with open(trace) as f:
        for line in f.read().split("\n")[3:]:
            w = line.split(" ")
            if len(w) < 2 or w[0] == "end" or line.startswith("#"):
                continue
            n += 1
            live += {"fork": 1, "exit": -1}.get(w[1], 0)
            if live > best:
                best, at, ts = live, n, int(w[0])
    return at, ts / 1e9, best


def _spread(values, scale=1.0, fmt="{:.2f}"):
    med, lo, hi = summarize([v * scale for v in values])
    return f"{fmt.format(med)} ({fmt.format(lo)}–{fmt.format(hi)})"


@scenario("replay", "a recorded process-event trace (--trace FILE, default "
          "the test fixture): core CPU per event and in all, pid-store peak "
          "bytes, per pid store, wait, VMA store and watchers; ps aux and "
          "pstree -p at its busiest moment")
def bench_replay(args):
    trace = os.path.abspath(getattr(args, "trace", None) or FIXTURE)
    runs = 2 if args.quick else max(5, args.runs)
    rep = Report(args, "replay")
    busiest = os.path.join(rep.out, "busiest.snap")
    progress(f"replay: {os.path.basename(trace)}: {runs} runs of every "
             f"configuration")
    rows = corebench("replay", trace, runs, busiest,
                     timeout=CMD_TIMEOUT * 4).dicts()
    configs = []
    for x in rows:
        if (x["axis"], x["config"]) not in configs:
            configs.append((x["axis"], x["config"]))
    header = ["axis", "config", "events", "applied", "skipped", "remapped",
              "core CPU ns/event, median (min–max)",
              "core CPU ms in all, median (min–max)", "pid-store peak bytes"]
    table_rows = []
    for axis, name in configs:
        sel = [x for x in rows if x["axis"] == axis and x["config"] == name]
        ev = int(sel[0]["events"])
        cpu = [int(x["core_cpu_ns"]) for x in sel]
        table_rows.append([axis, name, ev, sel[0]["applied"],
                           sel[0]["skipped"], sel[0]["remapped"],
                           _spread(cpu, 1 / ev, "{:,.0f}"),
                           _spread(cpu, 1e-6, "{:.2f}"),
                           f"{statistics.median(int(x['peak_pid_bytes']) for x in sel):,.0f}"])
    title = (f"replay: {os.path.basename(trace)}, {runs} runs per "
             f"configuration, one axis at a time (others at their defaults: "
             f"idr, lookup, list, table); core CPU is the replaying thread's "
             f"CPU inside the core calls")
    rep.table(title, header, table_rows)
    rep.csv("runs.csv", list(rows[0].keys()), [list(x.values()) for x in rows])
    rep.save()

    # ps aux and pstree -p over the busiest moment, through a mount.
    tool_rows = []
    stores = [n for a, n in configs if a == "pidstore"]
    for store in stores:
        with Daemon(f"populate=0,pidstore={store}") as d:
            d.ctl([f"load {busiest}", f"pidstore {store}"])
            for tool in (["ps", "aux"], ["pstree", "-p"]):
                argv = [PROCSIM_RUN, "-m", d.mnt, "--", *tool]
                _, samples = repeat(argv, runs, f"replay: {store}: {' '.join(tool)}")
                tool_rows.append([store, " ".join(tool),
                                  fmt_spread(summarize([s.wall * 1e3 for s in samples])),
                                  fmt_spread(summarize([(s.user + s.sys) * 1e3
                                                        for s in samples]))])
    at, secs, made = _busiest(trace)
    tool_title = (f"replay: ps aux and pstree -p over the world at the trace's "
                  f"busiest moment ({at} events in, {secs:.1f} s, {made} tasks "
                  f"made by the trace alive), loaded from its snapshot, through "
                  f"a FUSE mount, ms, median (min–max)")
    rep.table(tool_title, ["pidstore", "tool", "wall ms", "tool CPU ms"],
              tool_rows)
    rep.done()
