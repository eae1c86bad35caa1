"""Issue 16's goals for `scale`, judged from its rows (no scenario here).

Each goal is a line: what, the goal, the measurement, met or not.  A
figure that was not measured says so and how it was extrapolated, never
passes for a measurement."""

import os

# Cold `ps -e` at a million processes once took 54 minutes: measured only at
# or below this many processes unless PROCSIM_BENCH_PS_MAX says more.
PS_MAX = int(os.environ.get("PROCSIM_BENCH_PS_MAX", "100000"))

HEADER = ["goal (issue 16)", "target", "measured", "met"]


def _per_proc(rows, n, label, col):
    """Seconds per process of column @col for @n processes' @label run."""
    for r in rows:
        if r[0] == n and r[6] == label and r[col] not in ("", None):
            return float(r[col]) / n
    return None


def _growth_row(rows, label, col, what):
    a, b = _per_proc(rows, 10000, label, col), _per_proc(rows, 100000, label, col)
    if a is None or b is None or a <= 0:
        return [f"{what}, 10k -> 100k", "growth <= 15%", "not measured", "-"]
    g = b / a - 1
    return [f"{what}, 10k -> 100k", "growth <= 15%",
            f"{a * 1e6:.0f} -> {b * 1e6:.0f} us/process ({g:+.0%})",
            "yes" if g <= 0.15 else "no"]


def goals(rows):
    """The goal lines for scale's CSV rows ([n, populate_s, rss_bytes,
    bytes_per_process, listed, expected, run, ps_wall_s, ps_user_s,
    ps_sys_s, daemon_cpu_s, requests]): (header, lines)."""
    out = []
    for label in ("cold", "warm"):
        out.append(_growth_row(rows, label, 7, f"ps -e {label}, wall per process"))
        out.append(_growth_row(rows, label, 10, f"ps -e {label}, daemon CPU per process"))
    big = [r for r in rows if r[0] == 1000000]
    if big:
        pop, rss, per = float(big[0][1]), int(big[0][2]), float(big[0][3])
        out.append(["populate 1M", "<= 3 s", f"{pop:.2f} s", "yes" if pop <= 3 else "no"])
        out.append(["daemon RSS at 1M", "<= 3 GiB", f"{rss / 2**30:.2f} GiB",
                    "yes" if rss <= 3 * 2**30 else "no"])
        out.append(["bytes per process at 1M", "<= 3 KB", f"{per:,.0f} B",
                    "yes" if per <= 3000 else "no"])
    ten = _per_proc(rows, 10000, "cold", 7)
    cold1m = _per_proc(rows, 1000000, "cold", 7)
    if ten is not None:
        target = 2 * 100 * ten * 10000
        if cold1m is not None:
            t = cold1m * 1000000
            out.append(["cold ps -e at 1M", f"<= {target:.0f} s (2x 100x 10k)",
                        f"{t:.0f} s", "yes" if t <= target else "no"])
        else:
            if not big:
                return HEADER, out	# 1M not run (--quick)
            hund = _per_proc(rows, 100000, "cold", 7)
            est = (f"not measured (> PROCSIM_BENCH_PS_MAX={PS_MAX}); 100k's "
                   f"rate x 1M: {hund * 1e6:.0f} s" if hund is not None
                   else f"not measured (> PROCSIM_BENCH_PS_MAX={PS_MAX})")
            out.append(["cold ps -e at 1M", f"<= {target:.0f} s (2x 100x 10k)", est, "-"])
    return HEADER, out
