#!/usr/bin/env python3
"""pidstore-proc's invocations in lockstep (tools/bench/attrib.py
replay_lockstep, procsim-replay --turns): n replayers, each its own world,
take rounds in turn, so no two ever run at once and the first of a round
rotates; a replayer that fails makes a clear error, not a hang.
Usage: replay_lockstep_test.py BUILD_DIR TRACE"""
import csv
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from bench import attrib  # noqa: E402
from bench.common import BenchError  # noqa: E402

attrib.REPLAY = os.path.join(sys.argv[1], "procsim-replay")
trace = sys.argv[2]
N, RUNS = 2, 3


def rounds(path, reps):
    """{round: (first start ms, last end ms)} of one invocation's runs
    (their times are per replay, reps replays a run)."""
    spans = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            s = float(row["start_ms"])
            e = s + float(row["replay_wall_ms"]) * reps
            r = int(row["round"])
            lo, hi = spans.get(r, (s, e))
            spans[r] = (min(lo, s), max(hi, e))
    return spans


with tempfile.TemporaryDirectory() as tmp:
    # Unpinned, so that without the turns the two would run side by side;
    # each run >= 15 ms, so that a round is long enough to overlap.
    out = attrib.replay_lockstep(N, [trace], 50, 32768, RUNS,
                                 pidstores="idr,xarray", acct_runs=1,
                                 min_ms=15,
                                 runs_csv=os.path.join(tmp, "runs-{}.csv"))
    assert len(out) == N and all(len(rows) == 2 for rows in out), out
    assert len({r["hash"] for rows in out for r in rows}) == 1, \
        "invocations answered differently"
    spans = [rounds(os.path.join(tmp, f"runs-{i + 1}.csv"),
                    int(out[i][0]["reps"])) for i in range(N)]
    assert all(sorted(s) == list(range(RUNS)) for s in spans), spans
    firsts = set()
    for r in range(RUNS):
        a, b = spans[0][r], spans[1][r]
        assert a[1] <= b[0] or b[1] <= a[0], \
            f"round {r}: the invocations ran at once: {a} {b}"
        firsts.add(0 if a[0] < b[0] else 1)
    assert firsts == {0, 1}, "the first invocation of a round never rotates"

    # A replayer that cannot start: an error naming the cause, promptly.
    bad = os.path.join(tmp, "bad.trace")
    with open(bad, "w") as f:
        f.write("not a trace\n")
    t0 = time.monotonic()
    try:
        attrib.replay_lockstep(N, [bad], 50, 32768, RUNS, pidstores="idr")
        raise AssertionError("a bad trace did not fail")
    except BenchError as e:
        assert "not a procsim-trace" in str(e), e
    assert time.monotonic() - t0 < 60, "the failure took too long"
print("replay_lockstep: ok")
