#!/bin/bash
# Every core micro-benchmark runs to the end at a tiny size.  In the debug and
# sanitizer builds (PROCSIM_LOCKDEP) this proves each one holds the world lock
# where the core requires it: a bare do_* call aborts there.
set -u
b=${PROCSIM_BUILD:?}
rc=0
run() {
	local out st
	out=$(timeout 120 "$b/$@" 2>&1 >/dev/null)
	st=$?
	if ((st)); then
		echo "FAIL: $* (exit $st): ${out:0:300}"
		rc=1
	else
		echo "ok: $*"
	fi
}
run corebench-populate 500
run corebench-pidstore --quick idr
run corebench-snapshot --runs 1 300
run corebench-vma str02 maple 4 4
run corebench-vma frag maple 4 4
run corebench-vma forkdup maple 4 4 1
run corebench-wait --runs 1 --min-ms 1 50
run corebench-wait --runs 1 --min-ms 1 --kind tracees 50
run corebench-watchers 1 10 direct
run corebench-replay "${PROCSIM_SRC:?}/tests/fixtures/replay-small.events" 1
run corebench-clone --secs 0.02 --repeats 1 --threads 2 idr
run corebench-clone --secs 0.02 --repeats 1 --threads 2 --cycle fork --readers 1 idr
exit $rc
