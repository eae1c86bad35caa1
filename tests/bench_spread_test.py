#!/usr/bin/env python3
"""pidstore-proc's spread marks (tools/bench/pidstore.py): a backend is
marked † only when it differs from idr by more than the larger of the two
spreads across invocations, and the spread is (max - min) / median."""
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


# idr 100 ± 2% ; bitmap 110 ± 2%: beyond.  xarray 103 but 8% spread: not.
# judy 97 with 1% spread, but idr's own spread (4%) is larger: not.
reps = reps_of({"idr": [98, 100, 102], "bitmap": [109, 110, 111],
                "xarray": [99, 103, 107], "judy": [96.5, 97, 97.5]})
_, rows, spreads = pidstore.replay_table(reps, ["ps aux"], False)
assert cell(rows, "bitmap").endswith("1.10×†"), cell(rows, "bitmap")
assert cell(rows, "xarray").endswith("1.03×"), cell(rows, "xarray")
assert cell(rows, "judy").endswith("0.97×"), cell(rows, "judy")
assert "(98.0–102.0; 4.0%)" in cell(rows, "idr"), cell(rows, "idr")
assert cell(rows, "sparse") == "—"
spread = {b: v for _, b, v in spreads}
assert abs(spread["xarray"] - 8 / 103) < 1e-9, spread
note = pidstore.spread_note(spreads)
assert "largest 7.8% (`ps aux` xarray)" in note, note
assert "above 5%: `ps aux` xarray 7.8%." in note, note
print("bench_spread_test: ok")
