#!/usr/bin/env bash
# ps against the simulation: processes forked through the ctl file appear in
# `ps -ef` with the right PPID, an exec'd name and args show, and the count
# of `ps -e` rows grows by exactly what was forked.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ppid_of PID PS_EF_OUTPUT: the PPID column of PID's row.
ppid_of() { awk -v p="$1" '$2 == p { print $3 }' <<<"$2"; }

procsim_start -o populate=200

before=$(nprocs)
((before >= 200)) || fail "populate=200 gave only $before processes in ps -e"

read -ra kids <<<"$(ctl_ok fork 1 5)"
check_eq "pids printed by 'fork 1 5'" 5 "${#kids[@]}"
parent=${kids[0]}
read -ra grandkids <<<"$(ctl_ok fork "$parent" 2)"
check_eq "pids printed by 'fork $parent 2'" 2 "${#grandkids[@]}"
ctl_ok exec "${grandkids[0]}" worker --serve 8080 >/dev/null

ef=$(run ps -ef) || fail "ps -ef exited $?"
for p in "${kids[@]}"; do
	check_eq "PPID of forked pid $p" 1 "$(ppid_of "$p" "$ef")"
done
for p in "${grandkids[@]}"; do
	check_eq "PPID of pid $p forked from $parent" "$parent" "$(ppid_of "$p" "$ef")"
done
check_match "exec'd process in ps -ef" \
	"^root +${grandkids[0]} +$parent .* worker --serve 8080\$" "$ef"
check_eq "ps -o comm of the exec'd process" worker \
	"$(run ps -o comm= -p "${grandkids[0]}" | tr -d ' ')"
check_eq "ps -e count after forking 7" $((before + 7)) "$(nprocs)"

# ps aux and other formats parse every process without complaint.
for args in aux -el -F "-eo pid,ppid,stat,vsz,rss,wchan:20,args" --forest; do
	# shellcheck disable=SC2086
	err=$(run ps $args 2>&1 >/dev/null) || fail "ps $args exited non-zero: $err"
	check_eq "stderr of ps $args" "" "$err"
done
finish
