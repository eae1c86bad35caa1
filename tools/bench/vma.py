"""Scenarios str02, str02-frag and forkdup: the VMA stores (corebench-vma)."""

from bench.common import (CMD_TIMEOUT, Plot, Report, Series, corebench,
                          progress, scenario, summarize)

STORES = ["list", "cache", "gaptree", "maple"]
DUP_CONFIGS = [("list", "insert"), ("cache", "insert"), ("gaptree", "insert"),
               ("gaptree", "bulk"), ("maple", "insert"), ("maple", "bulk")]

# ANCHORS.md section 3 (seed 001): forks per 10 s by VMA count, published.
FORKDUP_VMAS = [21, 121, 221, 421, 821, 1621, 3221, 6421, 12821, 25621, 51221]
FORKDUP_BEFORE = dict(zip(FORKDUP_VMAS, [112100, 76261, 54227, 34035, 20195,
                                         11112, 6017, 3161, 1606, 802, 393]))
FORKDUP_AFTER = dict(zip(FORKDUP_VMAS, [114558, 83067, 65008, 45824, 28751,
                                        16072, 8922, 4747, 2436, 1233, 599]))


def vma(*argv, timeout=CMD_TIMEOUT):
    """corebench-vma argv: its CSV rows."""
    return corebench("vma", *argv, timeout=timeout).rows()


def median_of(runs, fn, warmup=True):
    """Run fn() `runs` times (after one warm-up); per key, (median, min, max)."""
    if warmup:
        fn()
    acc = {}
    for _ in range(runs):
        for key, val in fn().items():
            acc.setdefault(key, []).append(val)
    return {k: summarize(v) for k, v in acc.items()}


# ---------------------------------------------------------------- str02

@scenario("str02", "NPTL test_str02: one process creates T threads (8 MiB "
          "stack + PROT_NONE guard page each), CPU time per thread creation "
          "as T grows, per VMA store (list capped at 20,000)")
def bench_str02(args):
    top = 4000 if args.quick else 100000
    list_top = 4000 if args.quick else 20000
    step = 1000 if args.quick else 5000
    runs = args.runs
    res = {}
    for store in STORES:
        t = list_top if store == "list" else top
        progress(f"str02: {store}, {t} threads, {runs} runs")

        # list's quadratic run takes minutes on a shared machine: a long
        # timeout, and no separate warm-up (each run is many steps).
        def one(store=store, t=t):
            return {int(r[2]): float(r[3])
                    for r in vma("str02", store, t, step, timeout=3600)}
        res[store] = median_of(runs, one, warmup=False)
    steps = sorted({n for r in res.values() for n in r})
    header = ["threads"] + [f"{s} µs/thread" for s in STORES]
    rows, csv_rows = [], []
    for n in steps:
        cells = []
        for s in STORES:
            v = res[s].get(n)
            cells.append("—" if v is None else f"{v[0] / 1000:.2f}")
            if v:
                csv_rows.append([s, n, f"{v[0]:.1f}", f"{v[1]:.1f}", f"{v[2]:.1f}"])
        rows.append([n] + cells)
    # Total CPU time to create the first 20,000 (or all, --quick) threads.
    upto = min(20000, top)
    totals = []
    for s in STORES:
        tot = sum(v[0] * step for n, v in res[s].items() if n <= upto) / 1e9
        totals.append(f"{tot:.2f} s")
    rows.append([f"**total for {upto}**"] + totals)
    title = (f"str02: CPU time per thread creation, median of {runs} runs, "
             f"per step of {step} threads (published, 2.6.13 on its hardware:"
             f" 20,000 threads 0.7 s system time with the cache, 30+ s without)")
    rep = Report(args, "str02")
    rep.table(title, header, rows)
    rep.csv("summary.csv", ["store", "threads", "ns_median", "ns_min",
                            "ns_max"], csv_rows)
    rep.plot(Plot("str02", "str02: CPU time per thread creation (median, "
                  "min-max)", "threads created so far", "microseconds per "
                  "thread", [Series(s, [(n, *(x / 1000 for x in res[s][n]))
                                        for n in sorted(res[s])])
                             for s in STORES], log="y"))
    rep.done()


@scenario("str02-frag", "mmap/munmap churn with mixed sizes at V mappings: "
          "CPU time per munmap+mmap pair, per VMA store (cache's weak spot)")
def bench_frag(args):
    sizes = [500, 2000] if args.quick else [1000, 4000, 16000]
    ops = 1000 if args.quick else 4000
    runs = args.runs
    res = {}
    for store in STORES:
        for v in sizes:
            progress(f"str02-frag: {store}, {v} mappings")
            res[store, v] = median_of(
                runs, lambda store=store, v=v: {0: float(vma("frag", store, v, ops)[0][3])})[0]
    header = ["mappings"] + [f"{s} µs/op" for s in STORES]
    rows = [[v] + [f"{res[s, v][0] / 1000:.2f}" for s in STORES] for v in sizes]
    title = (f"str02-frag: munmap+mmap churn, sizes 1-8 (70%), 16-80 (25%), "
             f"256-768 pages (5%); CPU µs per op (one munmap + one mmap), median of {runs} runs")
    rep = Report(args, "str02-frag", md="frag.md")
    rep.table(title, header, rows)
    rep.csv("summary.csv", ["store", "mappings", "ns_median", "ns_min",
                            "ns_max"],
            [[s, v, *(f"{x:.1f}" for x in res[s, v])] for s in STORES
             for v in sizes])
    rep.plot(Plot("frag", "munmap+mmap churn (median, min-max)", "mappings",
                  "microseconds per munmap+mmap",
                  [Series(s, [(v, *(x / 1000 for x in res[s, v]))
                              for v in sizes]) for s in STORES], log="xy"))
    rep.done()


# ---------------------------------------------------------------- forkdup

@scenario("forkdup", "fork+exit+wait of a process with V VMAs (V = 21 … 51221 "
          "as in seed 001), forks/s per store and dup mode, beside the "
          "published table; bulk's copy against a memcpy of as many bytes")
def bench_forkdup(args):
    vmas = [21, 821, 12821] if args.quick else FORKDUP_VMAS
    secs = 0.1 if args.quick else 0.3
    runs = min(args.runs, 3)
    res = {}
    for store, dup in DUP_CONFIGS:
        for v in vmas:
            progress(f"forkdup: {store}/{dup}, {v} VMAs")

            def one(store=store, dup=dup, v=v):
                r = vma("forkdup", store, dup, v, secs)[0]
                return {"fps": float(r[4]), "dup": float(r[5]),
                        "bytes": int(r[6]), "memcpy": float(r[7])}
            res[store, dup, v] = median_of(runs, one)
    cfg = [f"{s}/{d}" for s, d in DUP_CONFIGS]
    header = ["VMAs"] + [f"{c} forks/s" for c in cfg] + \
        ["maple bulk/insert", "published before /10 s", "published after /10 s",
         "published gain"]
    rows, csv_rows = [], []
    for v in vmas:
        fps = [res[s, d, v]["fps"][0] for s, d in DUP_CONFIGS]
        mi, mb = res["maple", "insert", v]["fps"][0], res["maple", "bulk", v]["fps"][0]
        b, a = FORKDUP_BEFORE[v], FORKDUP_AFTER[v]
        rows.append([v] + [f"{x:.0f}" for x in fps] +
                    [f"{mb / mi:.2f}×", b, a, f"{(a - b) / b * 100:.1f}%"])
        for (s, d), x in zip(DUP_CONFIGS, fps):
            r = res[s, d, v]
            csv_rows.append([s, d, v, f"{x:.1f}", f"{r['fps'][1]:.1f}",
                             f"{r['fps'][2]:.1f}", f"{r['dup'][0]:.3f}",
                             r["bytes"][0], f"{r['memcpy'][0]:.3f}"])
    title = (f"forkdup: fork+exit+wait per second (CPU time), median of {runs} "
             f"runs; published: forks per 10 s, Linux before/after __mt_dup")
    rep = Report(args, "forkdup")
    rep.table(title, header, rows)
    # The copy alone against memcpy of the same bytes (store nodes + VMAs).
    h2 = ["VMAs"] + [f"{c} dup µs" for c in cfg] + ["bytes (maple)", "memcpy µs",
                                                   "maple bulk / memcpy"]
    rows2 = []
    for v in vmas:
        mb = res["maple", "bulk", v]
        rows2.append([v] + [f"{res[s, d, v]['dup'][0]:.1f}" for s, d in DUP_CONFIGS] +
                     [int(mb["bytes"][0]), f"{mb['memcpy'][0]:.1f}",
                      f"{mb['dup'][0] / mb['memcpy'][0]:.1f}×"])
    rep.table("forkdup: the address-space copy alone (dup_mm) against "
              "memcpy", h2, rows2)
    rep.csv("summary.csv", ["store", "dup", "vmas", "forks_per_s", "min",
                            "max", "dup_us", "bytes", "memcpy_us"], csv_rows)
    rep.plot(Plot("forkdup", "forks per second by VMA count (median, "
                  "min-max)", "VMAs", "forks per second",
                  [Series(f"{s}/{d}", [(v, *res[s, d, v]["fps"])
                                       for v in vmas])
                   for s, d in DUP_CONFIGS] +
                  [Series("Linux before (published)",
                          [(v, FORKDUP_BEFORE[v] / 10) for v in vmas],
                          style="dt 2"),
                   Series("Linux after (published)",
                          [(v, FORKDUP_AFTER[v] / 10) for v in vmas],
                          style="dt 3")], log="xy", key="bottom left"))
    rep.done()
