#!/usr/bin/env python3
"""bench account's interval (tools/bench/attrib.py median_ci): the median
of per-round ratios with order statistics j and n+1-j as its 95% interval.
Its ranks on a known list, and its coverage: over 2,000 seeded samples
from a skewed distribution (a run's CPU has a long right tail) the
interval holds the true median 93.5-98% of the time; too narrow (or too
wide) an interval fails."""
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from bench import attrib  # noqa: E402

# 1..101 in any order: median 51; j = int(50.5 - 1.96 * sqrt(101) / 2) = 40.
vals = list(range(1, 102))
random.Random(3).shuffle(vals)
assert attrib.median_ci(vals) == (51, 40, 62), attrib.median_ci(vals)
# A few values: the interval is the whole range, never out of it.
assert attrib.median_ci([3.0, 1.0, 2.0]) == (2.0, 1.0, 3.0)
assert attrib.median_ci([5.0]) == (5.0, 5.0, 5.0)

# Coverage: lognormal ratios around a true median of 1.02, sigma 0.4
# (the per-round spread measured on this machine), n as small as bench
# account's ps aux rounds and as large as its request rounds.
rng = random.Random(12)
for n, trials in ((41, 2000), (401, 1000)):
    hits = 0
    for _ in range(trials):
        xs = [1.02 * math.exp(rng.gauss(0, 0.4)) for _ in range(n)]
        _, lo, hi = attrib.median_ci(xs)
        hits += lo <= 1.02 <= hi
    cover = hits / trials
    assert 0.935 <= cover <= 0.98, f"n={n}: coverage {cover:.3f}"
print("ok")
