#!/usr/bin/env bash
# Pid store backends through the real tools: every backend serves `ps aux`
# when chosen with -o pidstore=NAME (and /proc/procsim/config says so); then
# one daemon switched live through every backend (procsimctl pidstore NAME)
# keeps ps and pstree output byte-identical, threads included.  The columns
# compared are those no clock moves (ps -ef's C column is CPU time over
# elapsed time, so it drifts between two runs on any backend).
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BACKENDS=(idr bitmap xarray xarray-sharded sparse judy)
WORLD=populate=400
# The views of the world that no clock moves.
views() {
	run ps -e -o pid,ppid,stat,nlwp,tty,comm,args
	run ps -eL -o pid,lwp,ppid,stat,comm
	run pstree -p
}

for b in "${BACKENDS[@]}"; do
	procsim_start -o "pidstore=$b,$WORLD"
	check_match "config with -o pidstore=$b" "^pidstore $b\$" \
		"$(cat "$MNT/procsim/config")"
	aux=$(run ps aux) || fail "ps aux with pidstore=$b exited $?"
	rows=$(grep -c . <<<"$aux" || true)
	((rows > 400)) || fail "ps aux with pidstore=$b: only $rows rows"
	check_match "ps aux with pidstore=$b lists init" "^root +1 " "$aux"
	# The processes ps found are exactly the numbered entries of /proc.
	check_eq "ps -e vs ls /proc with pidstore=$b" \
		"$(run ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\n' ' ')" \
		"$(run ps -e -o pid= | tr -d ' ' | sort -n | tr '\n' ' ')"
	procsim_stop || fail "the daemon with pidstore=$b did not stop cleanly"
done

procsim_start -o "$WORLD"
# Threads (non-leaders for readdir to skip) and holes (exits) in the pids.
read -ra kids <<<"$(ctl_ok fork 1 20)"
for p in "${kids[@]:0:10}"; do
	ctl_ok clone "$p" >/dev/null
	ctl_ok clone "$p" >/dev/null
done
for p in "${kids[@]:10:5}"; do
	ctl_ok exit "$p" >/dev/null
	ctl_ok wait 1 "$p" >/dev/null
done
before=$(views) || fail "ps or pstree exited $?"
for b in "${BACKENDS[@]:1}" "${BACKENDS[0]}"; do
	check_eq "procsimctl pidstore $b" ok "$(ctl_ok pidstore "$b")"
	check_match "config after the switch to $b" "^pidstore $b\$" \
		"$(cat "$MNT/procsim/config")"
	after=$(views) || fail "ps or pstree on $b exited $?"
	check_eq "ps/pstree output after switching to $b" "$before" "$after"
done
# A bad name: EINVAL naming the backends, and the store stays put.
ctl_out=$(ctl pidstore nosuch 2>&1) && fail "pidstore nosuch succeeded"
check_match "pidstore nosuch" \
	"EINVAL: pidstore: unknown pidstore 'nosuch' \\(have: idr bitmap xarray xarray-sharded sparse judy\\)\$" \
	"$ctl_out"
check_match "config after a bad name" "^pidstore idr\$" "$(cat "$MNT/procsim/config")"
# The cursor survived every switch: the next fork gets the next pid.
last=$(printf '%s\n' "${kids[@]}" | sort -n | tail -n 1)
check_eq "fork after the switches" "$((last + 21))" "$(ctl_ok fork 1)"
finish
