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

	check_threads "$mode"
	check_pts_gone "$mode"
}

# Thread files: cache=on keeps /proc/PID/task/TID/* as it keeps process
# files.  Each change shows in the next read of a thread's stat, status and
# comm, also in a sibling the change did not name (a clone or a group stop
# names the leader only).  Each read runs twice before the change.
tfile() { cat "$MNT/$1/task/$2/$3"; }
# tstat PID TID N: field N of task/TID/stat (the comm may hold blanks).
tstat() { tfile "$1" "$2" stat | sed 's/^.*) //' | cut -d' ' -f$(($3 - 2)); }
tstatus() { tfile "$1" "$2" status | sed -n "s/^$3:[[:space:]]*//p"; }
warm_threads() {
	local i f
	for i in 1 2; do
		for f in "$MNT/$1"/task/*/{stat,status,comm,statm}; do cat "$f" >/dev/null; done
		run ps -L -o lwp=,stat=,nlwp=,comm= -p "$1" >/dev/null
	done
}

check_threads() {
	local mode=$1 pid t1 t2 size
	read -r pid <<<"$(ctl_ok fork 1)"
	ctl_ok exec "$pid" /usr/bin/threaded >/dev/null
	read -r t1 <<<"$(ctl_ok clone "$pid")"
	warm_threads "$pid"
	check_eq "[$mode] task/$t1 Threads: before clone" 2 "$(tstatus "$pid" "$t1" Threads)"

	read -r t2 <<<"$(ctl_ok clone "$pid")"
	check_eq "[$mode] sibling's Threads: after clone" 3 "$(tstatus "$pid" "$t1" Threads)"
	check_eq "[$mode] sibling's num_threads after clone" 3 "$(tstat "$pid" "$t1" 20)"
	check_eq "[$mode] leader's task/ Threads: after clone" 3 "$(tstatus "$pid" "$pid" Threads)"
	check_eq "[$mode] ps -L after clone" "$pid $t1 $t2" \
		"$(run ps -L -o lwp= -p "$pid" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"

	warm_threads "$pid"
	ctl_ok sched_setscheduler "$t1" 1 10 >/dev/null	# SCHED_FIFO, that thread only
	check_eq "[$mode] thread's rt_priority after sched_setscheduler" 10 "$(tstat "$pid" "$t1" 40)"
	check_eq "[$mode] thread's policy after sched_setscheduler" 1 "$(tstat "$pid" "$t1" 41)"
	check_eq "[$mode] sibling's policy unchanged" 0 "$(tstat "$pid" "$t2" 41)"

	warm_threads "$pid"
	ctl_ok stop "$pid" >/dev/null
	check_eq "[$mode] sibling's state after a group stop" T "$(tstat "$pid" "$t2" 3)"
	check_match "[$mode] sibling's State: after a group stop" '^T ' "$(tstatus "$pid" "$t2" State)"
	check_eq "[$mode] ps -L STAT after a group stop" "T T T" \
		"$(run ps -L -o stat= -p "$pid" | cut -c1 | tr '\n' ' ' | sed 's/ $//')"
	warm_threads "$pid"
	ctl_ok cont "$pid" >/dev/null
	check_eq "[$mode] sibling's state after cont" S "$(tstat "$pid" "$t2" 3)"

	warm_threads "$pid"
	size=$(tfile "$pid" "$t2" statm | cut -d' ' -f1)
	ctl_ok mmap "$pid" 4M >/dev/null
	check_eq "[$mode] sibling's statm size after mmap" $((size + 1024)) \
		"$(tfile "$pid" "$t2" statm | cut -d' ' -f1)"

	warm_threads "$pid"
	ctl_ok exit_thread "$t2" >/dev/null
	if [[ -e $MNT/$pid/task/$t2/stat ]]; then fail "[$mode] exited thread's task/$t2/stat resolves"; fi
	check_eq "[$mode] sibling's Threads: after exit_thread" 2 "$(tstatus "$pid" "$t1" Threads)"
	check_eq "[$mode] ls task/ after exit_thread" "$pid $t1" "$(ls "$MNT/$pid/task" | sort -n | tr '\n' ' ' | sed 's/ $//')"

	warm_threads "$pid"
	ctl_ok exec "$pid" /usr/bin/renamed >/dev/null	# de_thread: $t1 dies
	check_eq "[$mode] leader's task/ comm after exec" renamed "$(tfile "$pid" "$pid" comm)"
	check_eq "[$mode] leader's task/ stat comm after exec" "$pid (renamed)" \
		"$(tfile "$pid" "$pid" stat | cut -d' ' -f1-2)"
	check_eq "[$mode] leader's task/ Threads: after exec" 1 "$(tstatus "$pid" "$pid" Threads)"
	if [[ -e $MNT/$pid/task/$t1/comm ]]; then fail "[$mode] de_thread's task/$t1/comm resolves"; fi
	check_eq "[$mode] ps -L after exec" "$pid renamed" \
		"$(run ps -L -o lwp=,comm= -p "$pid" | sed 's/^ *//; s/  */ /g')"
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
