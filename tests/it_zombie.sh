#!/usr/bin/env bash
# exit makes a zombie: ps shows it <defunct> with STAT Z until the parent
# waits for it, wait reports its status, and its children go to init.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start -o populate=50

read -r parent <<<"$(ctl_ok fork 1)"
ctl_ok exec "$parent" reaper >/dev/null
read -r child <<<"$(ctl_ok fork "$parent")"
ctl_ok exec "$child" doomed >/dev/null
read -r orphan <<<"$(ctl_ok fork "$child")"
before=$(nprocs)
zombies() { run top -b -n1 | sed -nE 's/^Tasks:.* ([0-9]+) zombie *$/\1/p'; }
z0=$(zombies)
[[ -n $z0 ]] || die "no Tasks: line with a zombie count in top -b -n1"

ctl_ok exit "$child" 3 >/dev/null
ef=$(run ps -ef) || fail "ps -ef exited $?"
check_match "zombie in ps -ef" "^root +$child +$parent .* \\[doomed\\] <defunct>\$" "$ef"
check_eq "STAT of the zombie" Z "$(run ps -o stat= -p "$child" | tr -d ' ' | cut -c1)"
check_eq "PPID of the orphan after its parent exited" 1 \
	"$(run ps -o ppid= -p "$orphan" | tr -d ' ')"
check_eq "ps -e count (a zombie is still listed)" "$before" "$(nprocs)"
check_eq "zombies counted by top" $((z0 + 1)) "$(zombies)"

check_eq "reply of 'wait $parent $child'" "$child $((3 << 8))" "$(ctl_ok wait "$parent" "$child")"
if run ps -p "$child" >/dev/null; then fail "ps -p $child still finds the reaped zombie"; fi
check_no_match "reaped zombie in ps -ef" "^root +$child " "$(run ps -ef)"
check_eq "ps -e count after wait" $((before - 1)) "$(nprocs)"

# wait -1 reaps any zombie child; with only live children, nohang reaps
# nothing and a blocking wait is EAGAIN (nothing runs to end them); with no
# children at all it is ECHILD.
read -r kid <<<"$(ctl_ok fork "$parent")"
read -r live <<<"$(ctl_ok fork "$parent")"
ctl_ok exit "$kid" 0 >/dev/null
check_eq "reply of 'wait $parent -1'" "$kid 0" "$(ctl_ok wait "$parent" -1)"
check_eq "reply of 'wait $parent -1 nohang' with a live child" "0 0" \
	"$(ctl_ok wait "$parent" -1 nohang)"
err=$(ctl wait "$parent" -1 2>&1) && fail "blocking wait on a live child succeeded: $err"
check_match "blocking wait on a live child" '^procsimctl: EAGAIN: ' "$err"
ctl_ok exit "$live" 1 >/dev/null
check_eq "reply of 'wait $parent $live'" "$live 256" "$(ctl_ok wait "$parent" "$live")"
err=$(ctl wait "$parent" -1 nohang 2>&1) && fail "wait with no children succeeded: $err"
check_match "wait with no children" '^procsimctl: ECHILD: ' "$err"
finish
