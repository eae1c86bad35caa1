#!/usr/bin/env python3
"""pidstore-proc's spread marks (tools/bench/pidstore.py): a backend is
marked † only when its ratio to idr is on the same side of 1 in every
invocation and further from 1 than the ratios' spread; the spread is
(max - min) / median; the note lists what is above 5%."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from bench import pidstore  # noqa: E402


def reps_of(table):
    """[{(cmd, backend): row}] per invocation, from {backend: [ms...]}."""
    n = len(next(iter(table.values())))
    return [{("ps aux", b): {"replay_ms": v[i], "pid_ns": 1e6, "pid_calls": 1}
             for b, v in table.items()} for i in range(n)]


def cell(rows, backend):
    return rows[0][2 + pidstore.BACKENDS.index(backend)]


# idr drifts 98..102 (4%).  bitmap 10% slower in each: marked.  judy 2%
# faster in each, drifting with idr: its times' spread (4.1%) is larger
# than the difference, its ratios' (0%) is not: marked (paired).  xarray
# 1-5% slower, ratios spread 3.8% > 3%: not.  sparse 20% slower in two
# invocations, faster in one: its median is further from 1 than the spread,
# but it is on both sides of 1: not.
reps = reps_of({"idr": [98, 100, 102], "bitmap": [107.8, 110, 112.2],
                "judy": [96.04, 98, 99.96], "xarray": [99, 103, 107],
                "sparse": [97.902, 120, 122.4]})
_, rows, spreads = pidstore.replay_table(reps, ["ps aux"], False)
assert cell(rows, "bitmap").endswith("1.10× (1.10–1.10)†"), cell(rows, "bitmap")
assert cell(rows, "judy").endswith("0.98× (0.98–0.98)†"), cell(rows, "judy")
assert cell(rows, "xarray").endswith("1.03× (1.01–1.05)"), cell(rows, "xarray")
assert cell(rows, "sparse").endswith("1.20× (1.00–1.20)"), cell(rows, "sparse")
assert cell(rows, "idr") == "100.0 (98.0–102.0; 4.0%)", cell(rows, "idr")
assert cell(rows, "xarray-sharded") == "—"
spread = {b: (v, rv) for _, b, v, rv in spreads}
assert abs(spread["xarray"][0] - 8 / 103) < 1e-9, spread
note = pidstore.spread_note(spreads)
assert "times, (max − min) / median: median 4.0%, largest 20.4% (`ps aux` " \
       "sparse); above 5%: `ps aux` xarray 7.8%, `ps aux` sparse 20.4%." \
       in note, note
assert "ratios to idr, (max − min) / median: median 3.8%, largest 16.8% " \
       "(`ps aux` sparse); above 5%: `ps aux` sparse 16.8%." in note, note
# A backend measured in one invocation of its own (slow_reps, beside its
# own idr): its time and ratio, "(1 invocation)", no mark, no spread.
slow = reps_of({"idr": [200], "xarray-sharded": [300]})
_, rows, spreads = pidstore.replay_table(reps, ["ps aux"], False, slow)
assert cell(rows, "xarray-sharded") == "300.0 1.50× (1 invocation)", \
    cell(rows, "xarray-sharded")
assert cell(rows, "idr") == "100.0 (98.0–102.0; 4.0%)", cell(rows, "idr")
assert "xarray-sharded" not in {b for _, b, _, _ in spreads}
print("bench_spread_test: ok")
