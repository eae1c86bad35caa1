#!/usr/bin/env bash
# -o warm=on (fs/warm.h): after populate (at start and through ctl), load
# and import, the daemon reads every process's common files through its
# own mount, so the kernel then serves them from its page cache: reading
# them all afterwards makes (almost) no FUSE READ.  warm=off leaves them
# cold.  A world change or a stop in the middle of a run cancels it
# cleanly: the daemon goes on serving, and exits when unmounted.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stat_fuse() { awk -v op="$1" '$1 == "fuse" && $2 == op { print $3 }' "$MNT/procsim/stats"; }
warm_line() { sed -n 's/^warm //p' "$MNT/procsim/stats"; }

# wait_warm RUNS: until the warmer is idle with at least RUNS runs
# finished (60 s at most).
wait_warm() {
	local i state _ runs
	for ((i = 0; i < 600; i++)); do
		read -r state _ runs _ <<<"$(warm_line)"
		[[ $state == idle ]] && ((runs >= $1)) && return 0
		sleep 0.1
	done
	fail "warming did not finish run $1 in 60 s: $(warm_line)"
}

# reads_for_all: the FUSE READs that reading every process's warmed files
# costs now (the stats file's own reads subtracted).
reads_for_all() {
	local before after
	before=$(stat_fuse read)
	for d in "$MNT"/[0-9]*; do
		cat "$d/stat" "$d/status" "$d/cmdline" "$d/statm" >/dev/null 2>&1 || true
	done
	after=$(stat_fuse read)
	echo $((after - before))
}

procsim_start -o populate=200,warm=on
check_eq "config warm" "warm on" "$(grep '^warm ' "$MNT/procsim/config")"
wait_warm 1
procs=$(sed -n "s/^processes //p" "$MNT/procsim/stats")
log "after populate=200 ($procs processes): $(warm_line)"
reads=$(reads_for_all)
log "reading all ${procs}x4 files cost $reads READs"
# A few may be re-read: anything changed since the run (nothing should).
((reads <= procs / 20)) || fail "warm=on: reading every process's files cost $reads READs (of $((4 * procs)))"

# Through ctl: the new processes are warmed too.
ctl_ok populate 300 >/dev/null
wait_warm 2
procs=$(sed -n "s/^processes //p" "$MNT/procsim/stats")
reads=$(reads_for_all)
log "after ctl populate 300 ($procs processes): $reads READs"
((reads <= procs / 20)) || fail "warm after ctl populate: $reads READs for $procs processes"

# A change in the middle of a run restarts it on the new world; a reset
# (no warming of its own) then a populate leave the daemon serving.
ctl_ok populate 3000 >/dev/null
ctl_ok reset >/dev/null
ctl_ok populate 100 >/dev/null
wait_warm 3
procs=$(sed -n "s/^processes //p" "$MNT/procsim/stats")
check_match "the last run warmed the last world" "pids $procs/$procs " "$(warm_line)"
check_match "ps after restarted warming" "^[0-9]+$" "$(run ps -e | wc -l)"

# A stop while a run reads: the daemon still leaves by itself, cleanly.
ctl_ok populate 5000 >/dev/null
[[ $(warm_line) == running* || $(warm_line) == "idle runs 3 "* ]] || log "warm: $(warm_line)"
procsim_stop || fail "daemon stopped during warming did not exit cleanly"

# warm=off: nothing is read ahead, so each file costs its READ.
procsim_start -o populate=200,warm=off
check_eq "config warm=off" "warm off" "$(grep '^warm ' "$MNT/procsim/config")"
sleep 1
procs=$(sed -n "s/^processes //p" "$MNT/procsim/stats")
reads=$(reads_for_all)
log "warm=off: reading all ${procs}x4 files cost $reads READs"
((reads >= 3 * procs)) || fail "warm=off: only $reads READs for $procs processes: is something else warming?"
procsim_stop || fail "daemon did not stop cleanly"
finish
