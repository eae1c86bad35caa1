#!/usr/bin/env bash
# Threads made with `clone` show in ps -eLf (one LWP row each, NLWP on every
# row), in ps -o nlwp, in pstree's {name} entries and under /proc/PID/task;
# exec leaves the leader alone again.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start -o populate=50

read -r pid <<<"$(ctl_ok fork 1)"
ctl_ok exec "$pid" threaded >/dev/null
tids=()
for _ in 1 2 3; do
	read -r tid <<<"$(ctl_ok clone "$pid")"
	tids+=("$tid")
done
want_lwps=$(printf '%s\n' "$pid" "${tids[@]}" | sort -n | tr '\n' ' ')

# ps -eLf: UID PID PPID LWP C NLWP STIME TTY TIME CMD
lf=$(run ps -eLf) || fail "ps -eLf exited $?"
rows=$(awk -v p="$pid" '$2 == p' <<<"$lf")
check_eq "LWPs of $pid in ps -eLf" "$want_lwps" \
	"$(awk '{ print $4 }' <<<"$rows" | sort -n | tr '\n' ' ')"
check_eq "NLWP column of $pid's rows" "4 4 4 4 " \
	"$(awk '{ print $6 }' <<<"$rows" | tr '\n' ' ')"
check_eq "PPID column of $pid's rows" "1 1 1 1 " \
	"$(awk '{ print $3 }' <<<"$rows" | tr '\n' ' ')"
check_eq "ps -o nlwp -p $pid" 4 "$(run ps -o nlwp= -p "$pid" | tr -d ' ')"
check_eq "ps -e rows for $pid (threads are not processes)" 1 \
	"$(run ps -e -o pid= | awk -v p="$pid" '$1 == p' | grep -c . || true)"

ls_task=$(run ls /proc/"$pid"/task) || fail "ls /proc/$pid/task exited $?"
check_eq "ls /proc/$pid/task" "$want_lwps" "$(sort -n <<<"$ls_task" | tr '\n' ' ')"
check_match "/proc/${tids[0]}/stat (a hidden thread id still resolves)" \
	"^${tids[0]} \\(threaded\\) " "$(run cat /proc/"${tids[0]}"/stat)"

tree=$(run pstree -plA "$pid") || fail "pstree -plA $pid exited $?"
check_match "pstree shows the threads" "^threaded\\($pid\\)-[+]-\\{threaded\\}\\(${tids[0]}\\)\$" "$tree"
check_eq "thread entries in pstree" 3 "$(grep -o '{threaded}' <<<"$tree" | grep -c . || true)"

# execve leaves one thread.
ctl_ok exec "$pid" single >/dev/null
check_eq "ps -o nlwp after exec" 1 "$(run ps -o nlwp= -p "$pid" | tr -d ' ')"
check_eq "ps -eLf rows of $pid after exec" 1 \
	"$(run ps -eLf | awk -v p="$pid" '$2 == p' | grep -c . || true)"
finish
