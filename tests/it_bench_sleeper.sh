#!/usr/bin/env bash
# build/bench-sleeper, the kernel side of procsim-bench's like-for-like
# readdir table: a process with exactly THREADS extra threads that all
# sleep until killed, so the kernel's /proc holds the simulation's shape;
# a bad argument is a usage error.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SLEEPER=$PROCSIM_BUILD/bench-sleeper
[ -x "$SLEEPER" ] || fail "no $SLEEPER"

for k in 0 5; do
	"$SLEEPER" "$k" </dev/null >/dev/null 2>&1 &
	pid=$!
	at_exit "kill -9 $pid 2>/dev/null || true"
	want=$((k + 1)) have=0
	for _ in $(seq 100); do
		have=$(ls "/proc/$pid/task" | wc -l)
		[ "$have" -ge "$want" ] && break
		sleep 0.05
	done
	sleep 0.2	# no more than asked for, and all still there
	have=$(ls "/proc/$pid/task" | wc -l)
	check_eq "tasks of bench-sleeper $k" "$want" "$have"
	state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status")
	check_eq "bench-sleeper $k sleeps" "S" "$state"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
done

for bad in "" -1 x 100001 "1 2"; do
	# shellcheck disable=SC2086	# "1 2" is two arguments on purpose
	if err=$("$SLEEPER" $bad 2>&1 </dev/null); then
		fail "bench-sleeper '$bad' must fail"
	fi
	check_match "usage for '$bad'" '^usage: bench-sleeper' "$err"
done
finish
