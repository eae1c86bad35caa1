"""Issue 16's goals, judged from measurements (no scenario here, no I/O:
tests/bench_goals_test.py checks every verdict).

Each goal is a line: what, the goal, the measurement, met or not.  A
figure that was not measured says so and how it was extrapolated, never
passes for a measurement, and is never judged."""

import os
import statistics

# Cold `ps -e` at a million processes once took 54 minutes: measured only at
# or below this many processes unless PROCSIM_BENCH_PS_MAX says more.
PS_MAX = int(os.environ.get("PROCSIM_BENCH_PS_MAX", "100000"))

HEADER = ["goal (issue 16)", "target", "measured", "met"]
GROWTH = 0.15			# per-process cost, 10k -> 100k
POPULATE_1M_S = 3.0
RSS_1M = 3 * 2**30
BYTES_PER_PROCESS = 3000
COLD_1M_FACTOR = 2 * 100	# cold ps -e at 1M: <= 2x 100x the 10k time


def _median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _per_proc(res, n, kind, field):
    """Median seconds per process of @field ("wall" or "cpu") of the @kind
    ("cold" or "warm") ps -e runs at @n processes, or None."""
    runs = (res.get(n) or {}).get(kind) or []
    m = _median([r[field] for r in runs])
    return None if m is None else m / n


def _growth_row(res, kind, field, what):
    a, b = _per_proc(res, 10000, kind, field), _per_proc(res, 100000, kind, field)
    name = f"ps -e {kind}, {what} per process, 10k -> 100k"
    if a is None or b is None or a <= 0:
        return [name, f"growth <= {GROWTH:.0%}", "not measured", "-"]
    g = b / a - 1
    return [name, f"growth <= {GROWTH:.0%}",
            f"{a * 1e6:.0f} -> {b * 1e6:.0f} us ({g:+.0%})",
            "yes" if g <= GROWTH else "no"]


def goals(res, ps_max=PS_MAX):
    """The goal lines for one transport's scale results: res is {n: {
    "populate": s, "rss": bytes, "per_proc": bytes, "cold": [{"wall": s,
    "cpu": s}, ...], "warm": [...]}} (no "cold"/"warm" when ps -e was
    skipped at n).  Returns (header, lines)."""
    out = []
    for kind in ("cold", "warm"):
        for field, what in (("wall", "wall"), ("cpu", "daemon CPU")):
            out.append(_growth_row(res, kind, field, what))
    big = res.get(1000000)
    if big is None:
        out.append(["populate, RSS at 1M", "<= 3 s, <= 3 GiB, <= 3 KB/process",
                    "not run (1M not in this run's sizes)", "-"])
    else:
        pop, rss, per = big["populate"], big["rss"], big["per_proc"]
        out.append(["populate 1M", f"<= {POPULATE_1M_S:.0f} s", f"{pop:.2f} s",
                    "yes" if pop <= POPULATE_1M_S else "no"])
        out.append(["daemon RSS at 1M", "<= 3 GiB", f"{rss / 2**30:.2f} GiB",
                    "yes" if rss <= RSS_1M else "no"])
        out.append(["bytes per process at 1M", "<= 3 KB", f"{per:,.0f} B",
                    "yes" if per <= BYTES_PER_PROCESS else "no"])
    out.append(cold_1m_row(res, ps_max))
    return HEADER, out


def cold_1m_row(res, ps_max=PS_MAX):
    """Cold ps -e at 1M against 2x 100x the 10k time: measured, or the
    largest measured size's rate times a million, labelled and unjudged."""
    name = "cold ps -e at 1M"
    ten = _per_proc(res, 10000, "cold", "wall")
    if ten is None:
        return [name, "<= 2x 100x the 10k time", "10k cold not measured", "-"]
    target = COLD_1M_FACTOR * ten * 10000
    tgt = f"<= {target:.0f} s (2x 100x 10k's {ten * 10000:.2f} s)"
    got = _per_proc(res, 1000000, "cold", "wall")
    if got is not None:
        t = got * 1000000
        return [name, tgt, f"{t:.0f} s", "yes" if t <= target else "no"]
    why = ("1M not in this run's sizes" if 1000000 not in res else
           f"skipped: 1M > PROCSIM_BENCH_PS_MAX={ps_max}")
    base = max((n for n in res if n < 1000000 and
                _per_proc(res, n, "cold", "wall") is not None), default=None)
    est = _per_proc(res, base, "cold", "wall") * 1000000
    return [name, tgt,
            f"NOT MEASURED ({why}); EXTRAPOLATED from {base:,}'s rate x 1M: "
            f"{est:.0f} s ({'within' if est <= target else 'over'} the "
            f"target if cost stayed flat)", "-"]


def ratio_goal(sim, kern, goal):
    """One same-run comparison: sim and kern are lists of wall seconds.
    Returns (median ratio, lowest sim / slowest kernel, highest sim /
    fastest kernel, "met" or "not met" for ratio <= goal)."""
    s, k = _median(sim), _median(kern)
    lo, hi = min(sim) / max(kern), max(sim) / min(kern)
    r = s / k
    return r, lo, hi, "met" if r <= goal else "not met"
