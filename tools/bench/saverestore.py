"""Scenario saverestore: snapshot size and save/load CPU time against
building the same world again with populate (core, corebench-snapshot)."""

import statistics

from bench.common import CMD_TIMEOUT, Report, corebench, progress, scenario

NS = [100, 1000, 10000]
STORES = ["list", "maple"]


@scenario("saverestore", "save and restore: snapshot bytes and save/load "
          "CPU ms for populate=N, beside populate's own time, per VMA store")
def bench_saverestore(args):
    runs = 3 if args.quick else max(5, args.runs)
    ns = [100, 10000] if args.quick else NS
    rows = []
    for store in STORES:
        progress(f"saverestore: {store}: {runs} runs of {ns}")
        rows += corebench("snapshot", "--runs", runs, "--vmastore", store,
                          *ns, timeout=CMD_TIMEOUT).dicts()
    header = ["vmastore", "populate=N", "runs", "tasks (median)",
              "snapshot MB (median)", "bytes/task", "populate ms",
              "save ms", "load ms", "load / populate"]
    out_rows = []
    for store in STORES:
        for n in ns:
            sel = [x for x in rows if x["vmastore"] == store and int(x["n"]) == n]

            def med(k):
                return statistics.median(float(x[k]) for x in sel)
            ratio = statistics.median(float(x["load_ms"]) / float(x["populate_ms"])
                                      for x in sel)
            out_rows.append([store, n, len(sel), f"{med('tasks'):.0f}",
                             f"{med('bytes') / 1e6:.2f}",
                             f"{med('bytes') / med('tasks'):.0f}",
                             f"{med('populate_ms'):.1f}",
                             f"{med('save_ms'):.1f}", f"{med('load_ms'):.1f}",
                             f"{ratio:.2f}x (paired median)"])
    title = ("saverestore: CPU ms of the core thread (medians of runs); load "
             "is kernel_load's whole build-and-swap; every run checks the "
             "loaded world saves to the same bytes")
    rep = Report(args, "saverestore")
    rep.table(title, header, out_rows)
    rep.csv("runs.csv", list(rows[0].keys()), [list(x.values()) for x in rows])
    rep.done()
