#!/usr/bin/env bash
# The other procps tools run against the simulation: exit 0, no stderr, and
# output that reflects the simulated state (process count, memory, uptime).
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# quiet_ok NAME CMD...: CMD exits 0 with nothing on stderr; its stdout is
# left in $OUT.
OUT=
quiet_ok() {
	local name=$1 rc=0 errf
	shift
	errf=$(mktemp)
	OUT=$(run "$@" 2>"$errf") || rc=$?
	((rc == 0)) || fail "$name: exit $rc"
	[[ ! -s $errf ]] || fail "$name: stderr: $(head -c 500 "$errf")"
	rm -f "$errf"
}

procsim_start -o populate=300
read -r pid <<<"$(ctl_ok fork 1)"
ctl_ok exec "$pid" uniqname --flag >/dev/null
nproc=$(nprocs)

quiet_ok "top -b -n1" top -b -n1
check_match "top Tasks: total" "^Tasks: +$nproc total," "$OUT"
check_match "top row of $pid" "^ *$pid +root .* uniqname *\$" "$OUT"
quiet_ok "top -b -n1 -H" top -b -n1 -H

quiet_ok "pgrep -x uniqname" pgrep -x uniqname
check_eq "pgrep -x uniqname" "$pid" "$OUT"
quiet_ok "pgrep -af uniqname" pgrep -af uniqname
check_match "pgrep -af uniqname" "^$pid uniqname --flag\$" "$OUT"
if run pgrep -P "$pid" >/dev/null 2>&1; then fail "pgrep -P $pid found children"; fi
quiet_ok "pgrep -c ." pgrep -c .
check_eq "pgrep -c . (every process)" "$nproc" "$OUT"

# Without the syscall supervisor (--no-syscalls), pkill's kill() of a
# simulated pid stays inside procsim-run's pid namespace: kthreadd is pid 2
# in the simulation and on the host, where root's kill(2, 0) would succeed;
# in the namespace there is no pid 2, so pkill signals nothing and exits 1.
# (With it, the simulated kthreadd answers: tests/it_syscalls.sh.)
rc=0
timeout -k 5 "$TOOL_TIMEOUT" "$PROCSIM_RUN" -m "$MNT" --no-syscalls -- \
	pkill -0 -x kthreadd || rc=$?
check_eq "exit status of pkill -0 -x kthreadd (no real pid 2 reachable)" 1 "$rc"

quiet_ok free free
check_match "free: Mem line" '^Mem: +[1-9][0-9]* +[0-9]+ +[0-9]+ ' "$OUT"
quiet_ok "free -m" free -m

quiet_ok uptime uptime
check_match "uptime" ' up .* load average: [0-9.]+, [0-9.]+, [0-9.]+$' "$OUT"
quiet_ok "uptime -p" uptime -p

quiet_ok vmstat vmstat
check_match "vmstat header" '^procs -+memory' "$OUT"
quiet_ok "vmstat -s" vmstat -s
check_match "vmstat -s forks" '^ +[0-9]+ forks$' "$OUT"
finish
