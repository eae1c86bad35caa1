#!/usr/bin/env bash
# Always fresh: a change made through ctl is visible to the very next read
# by the real tools, under every caching setting (cache=on keeps process
# files in the kernel's page cache and invalidates them on change; cache=off
# serves everything direct).  Each tool runs twice before the change, so the
# caches are warm when the change lands.
# modes: cache_on cache_off
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

warm() { run ps -eo pid,ppid,stat,comm >/dev/null; run ps -eo pid,ppid,stat,comm >/dev/null; }

# field PID FMT: one ps column of one process, blanks trimmed.
field() { run ps -o "$2=" -p "$1" | sed 's/^ *//; s/ *$//'; }

check_fresh() {
	local mode=$1 parent child thr addr maps
	procsim_start -o "populate=200,cache=$mode"
	check_match "config shows cache=$mode" "^cache $mode\$" "$(cat "$MNT/procsim/config")"
	read -r parent <<<"$(ctl_ok fork 1)"
	warm
	read -r child <<<"$(ctl_ok fork "$parent")"
	check_eq "[$mode] forked child listed with its PPID" "$parent" "$(field "$child" ppid)"
	check_match "[$mode] forked child in ls /proc" "^$child\$" "$(run ls /proc)"

	warm
	ctl_ok exec "$child" /usr/bin/fresh-name --flag >/dev/null
	check_eq "[$mode] comm after exec" fresh-name "$(field "$child" comm)"
	check_eq "[$mode] args after exec" "/usr/bin/fresh-name --flag" "$(field "$child" args)"
	check_eq "[$mode] stat file comm after exec" "$child (fresh-name)" \
		"$(cut -d' ' -f1-2 "$MNT/$child/stat")"

	warm
	read -r addr <<<"$(ctl_ok mmap "$child" 3M r--)"
	maps=$(run pmap "$child")
	check_match "[$mode] new mapping in pmap" "^0*${addr#0x} +3072K r---- +\\[ anon \\]" "$maps"
	check_match "[$mode] new mapping in maps" "^${addr#0x}-" "$(cat "$MNT/$child/maps")"

	warm
	read -r thr <<<"$(ctl_ok clone "$child")"
	check_eq "[$mode] NLWP after clone" 2 "$(field "$child" nlwp)"
	check_match "[$mode] thread in ps -eLf" "^root +$child +$parent +$thr " "$(run ps -eLf)"

	warm
	ctl_ok exit "$child" 4 >/dev/null
	check_eq "[$mode] STAT after exit" Z "$(field "$child" stat)"
	check_match "[$mode] zombie in ps -ef" "^root +$child .*<defunct>\$" "$(run ps -ef)"
	if [[ -e $MNT/$thr ]]; then fail "[$mode] exited thread $thr still resolves"; fi

	warm
	ctl_ok wait "$parent" "$child" >/dev/null
	if run ps -p "$child" >/dev/null; then fail "[$mode] reaped $child still in ps -p"; fi
	check_no_match "[$mode] reaped child in ls /proc" "^$child\$" "$(run ls /proc)"
	if [[ -e $MNT/$child/stat ]]; then fail "[$mode] reaped $child/stat still resolves"; fi

	# No read is stale, truncated or empty: every stat line parses.
	local bad
	bad=$(run ps -eo pid=,stat=,comm= | awk '(NF < 3 || $2 !~ /^[RSDTtZXIP]/) && n++ < 3')
	check_eq "[$mode] malformed ps rows" "" "$bad"

	check_pts_gone "$mode"
}

# A terminal exists while some task has it (devpts): once the last task of
# the last session's terminal is reaped, pts/N is gone, from the listing
# and to stat (with cache=on the kernel kept both until told).
check_pts_gone() {
	local mode=$1 tty pid ppid
	tty=$(run ps -eo tty= --sort=-pid | grep -m1 '^pts/' | tr -d ' ')
	[[ -n $tty ]] || fail "[$mode] no process with a terminal"
	warm; run ps -t "$tty" >/dev/null
	check_match "[$mode] $tty listed" "^${tty#pts/}\$" "$(ls "$MNT/procsim/pts")"
	while read -r pid ppid; do
		ctl_ok exit "$pid" 0 >/dev/null
		ctl_ok wait "$ppid" "$pid" >/dev/null
	done < <(run ps -t "$tty" -o pid=,ppid= --sort=-pid)
	check_no_match "[$mode] $tty listed after its last task" "^${tty#pts/}\$" \
		"$(ls "$MNT/procsim/pts")"
	if [[ -e $MNT/procsim/pts/${tty#pts/} ]]; then fail "[$mode] $tty still stats"; fi
	if run ps -t "$tty" >/dev/null 2>&1; then fail "[$mode] ps -t $tty after its last task"; fi
}

check_fresh "${MODE#cache_}"
finish
