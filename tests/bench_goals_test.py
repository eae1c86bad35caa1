#!/usr/bin/env python3
"""procsim-bench's goal verdicts (tools/bench/scale_goals.py) on made-up
figures: each goal is met at its bound and missed just past it, medians
are what is judged, and a figure that was not measured is never judged.
No timing here: the benches time, this checks what they conclude."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from bench.scale_goals import cold_1m_row, goals, ratio_goal  # noqa: E402


def size(pop=1.0, rss=2**20, per=2000, cold=None, warm=None):
    r = {"populate": pop, "rss": rss, "per_proc": per}
    if cold is not None:
        r["cold"] = [{"wall": w, "cpu": c} for w, c in cold]
    if warm is not None:
        r["warm"] = [{"wall": w, "cpu": c} for w, c in warm]
    return r


def row(lines, prefix):
    hits = [l for l in lines if l[0].startswith(prefix)]
    assert len(hits) == 1, (prefix, lines)
    return hits[0]


class Growth(unittest.TestCase):
    def res(self, cold100k):
        # 10k: medians 1.0 s wall, 0.1 s CPU (the outlier 9.0 must not count)
        return {10000: size(cold=[(1.0, 0.1), (9.0, 0.9), (0.5, 0.05)],
                            warm=[(0.2, 0.01)]),
                100000: size(cold=[cold100k], warm=[(2.0, 0.1)])}

    def test_met_at_bound(self):
        _, lines = goals(self.res((11.5, 1.15)))
        self.assertEqual(row(lines, "ps -e cold, wall")[3], "yes")
        self.assertEqual(row(lines, "ps -e cold, daemon CPU")[3], "yes")
        self.assertIn("+15%", row(lines, "ps -e cold, wall")[2])

    def test_missed_past_bound(self):
        _, lines = goals(self.res((11.6, 1.2)))
        self.assertEqual(row(lines, "ps -e cold, wall")[3], "no")
        self.assertEqual(row(lines, "ps -e cold, daemon CPU")[3], "no")
        # warm wall is 20 -> 20 us per process: flat, so met
        self.assertEqual(row(lines, "ps -e warm, wall")[3], "yes")

    def test_not_measured(self):
        _, lines = goals({10000: size(cold=[(1.0, 0.1)], warm=[(1.0, 0.1)])})
        for l in lines[:4]:
            self.assertEqual((l[2], l[3]), ("not measured", "-"))


class Million(unittest.TestCase):
    def test_bounds(self):
        base = {10000: size(cold=[(4.0, 1.0)])}
        # cold ps -e at 1M: <= 2 x 100 x 4 s = 800 s
        ok = {**base, 1000000: size(3.0, 3 * 2**30, 3000,
                                    cold=[(800.0, 1.0)])}
        _, lines = goals(ok)
        for p in ("populate 1M", "daemon RSS", "bytes per process",
                  "cold ps -e at 1M"):
            self.assertEqual(row(lines, p)[3], "yes", p)
        bad = {**base, 1000000: size(3.01, 3 * 2**30 + 1, 3001,
                                     cold=[(801.0, 1.0)])}
        _, lines = goals(bad)
        for p in ("populate 1M", "daemon RSS", "bytes per process",
                  "cold ps -e at 1M"):
            self.assertEqual(row(lines, p)[3], "no", p)

    def test_extrapolation_is_labelled_and_unjudged(self):
        res = {10000: size(cold=[(4.0, 1.0)]),
               100000: size(cold=[(100.0, 10.0)]),
               1000000: size(2.0, 2**30, 1000)}	# ps -e skipped at 1M
        r = cold_1m_row(res, ps_max=100000)
        self.assertEqual(r[3], "-")
        self.assertIn("NOT MEASURED", r[2])
        self.assertIn("PROCSIM_BENCH_PS_MAX=100000", r[2])
        self.assertIn("EXTRAPOLATED from 100,000", r[2])
        self.assertIn("1000 s", r[2])		# 100 s / 100k x 1M
        self.assertIn("<= 800 s", r[1])	# 2 x 100 x 4 s
        # 1M not run at all: still labelled, still unjudged.
        del res[1000000]
        r = cold_1m_row(res)
        self.assertEqual(r[3], "-")
        self.assertIn("1M not in this run's sizes", r[2])
        _, lines = goals(res)
        self.assertEqual(row(lines, "populate, RSS at 1M")[3], "-")


class Ratio(unittest.TestCase):
    def test_medians_range_verdict(self):
        r, lo, hi, met = ratio_goal([1.5, 9.0, 1.4], [1.0, 0.9, 1.1], 1.5)
        self.assertAlmostEqual(r, 1.5)
        self.assertEqual(met, "met")
        self.assertAlmostEqual(lo, 1.4 / 1.1)
        self.assertAlmostEqual(hi, 9.0 / 0.9)
        self.assertEqual(ratio_goal([1.51], [1.0], 1.5)[3], "not met")
        self.assertEqual(ratio_goal([0.8], [1.0], 0.8)[3], "met")


if __name__ == "__main__":
    unittest.main()
