#!/usr/bin/env bash
# Real pmap -x over a process with 20,000 NPTL threads: every thread adds an
# 8 MiB stack whose lowest page is a PROT_NONE guard, so pmap lists 20,000
# guard rows of 4K "-----" and 20,000 stack rows of 8188K "rw---", and the
# stacks abut (each guard sits right above the next stack down).  The maple
# store and a raised max_map_count keep it fast; /proc/procsim/config says so.
# First: forkdup=bulk is refused, with its reason, for a store without bulk copy.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=20000
# A store that cannot copy its tree whole refuses forkdup=bulk, saying why.
dir=$(mktemp -d)
if msg=$(timeout 10 "$PROCSIM" -o vmastore=list,forkdup=bulk "$dir" 2>&1); then
	fail "procsim -o vmastore=list,forkdup=bulk started"
fi
rmdir "$dir"
check_match "forkdup=bulk refused for list" \
	'vmastore list cannot duplicate its structure whole; forkdup=bulk needs one of: gaptree maple' "$msg"

procsim_start -o vmastore=maple,max_map_count=100000

config=$(cat "$MNT/procsim/config")
check_match "config names the store" '^vmastore maple$' "$config"
check_match "config names the fork copy" '^forkdup insert$' "$config"
check_match "config names the layout" '^mmap_layout topdown$' "$config"

read -r pid <<<"$(ctl_ok fork 1)"
ctl_ok exec "$pid" str02 >/dev/null
# One write of N lines: the ctl file runs every complete line.
awk -v n="$N" -v p="$pid" 'BEGIN { for (i = 0; i < n; i++) print "clone " p }' |
	timeout 120 dd of="$MNT/procsim/ctl" bs=64k status=none ||
	die "writing $N clone lines failed"
check_eq "threads of $pid" "$((N + 1))" "$(awk '/^Threads:/ { print $2 }' "$MNT/$pid/status")"

out=$(TOOL_TIMEOUT=120 run pmap -x "$pid") || fail "pmap -x $pid exited $?"
check_match "pmap -x header" "^$pid: +str02\$" "$(head -n 1 <<<"$out")"
guards=$(grep -cE '^[0-9a-f]{16} +4 +0 +0 +----- +\[ anon \]$' <<<"$out" || true)
stacks=$(grep -cE '^[0-9a-f]{16} +8188 +0 +0 +rw--- +\[ anon \]$' <<<"$out" || true)
check_eq "4K PROT_NONE guard rows" "$N" "$guards"
check_eq "8188K rw stack rows" "$N" "$stacks"
# Guard then stack, address-ordered: each stack starts where its guard ends.
pairs=0 guard_end=0
while read -r start kb _ _ mode _; do
	[[ $start =~ ^[0-9a-f]{16}$ ]] || continue
	if [[ $kb == 4 && $mode == ----- ]]; then
		guard_end=$((16#$start + 4096))
		continue
	fi
	[[ $kb == 8188 && $mode == rw--- ]] && ((16#$start == guard_end)) && pairs=$((pairs + 1))
	guard_end=0
done <<<"$out"
check_eq "guard pages directly below their stacks" "$N" "$pairs"
check_match "pmap -x total" '^total kB +[0-9]+ ' "$out"
vmsize=$(awk '/^VmSize:/ { print $2 }' "$MNT/$pid/status")
total=$(awk '/^total kB/ { print $3 }' <<<"$out")
check_eq "pmap total = VmSize" "$vmsize" "$total"
finish
