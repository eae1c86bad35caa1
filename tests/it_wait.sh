#!/usr/bin/env bash
# Wait semantics through the real tools: a traced process shows TracerPid
# in /proc/PID/status, ps shows T for a stopped process (t for a traced
# one), a killed child's wait status is the signal, and /proc/procsim/config
# names the wait strategy.  One mode per strategy.
# modes: scan lookup
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

one_strategy() {
	local strategy=$1 parent child tracer st err
	procsim_start -o "populate=20,wait=$strategy"
	check_match "config names the strategy" "^wait $strategy\$" "$(cat "$MNT/procsim/config")"

	read -r parent <<<"$(ctl_ok fork 1)"
	read -r child <<<"$(ctl_ok fork "$parent")"
	read -r tracer <<<"$(ctl_ok fork 1)"

	ctl_ok ptrace "$child" "$tracer" >/dev/null
	check_match "TracerPid of a traced process" "^TracerPid:[[:space:]]+$tracer\$" \
		"$(run cat "/proc/$child/status")"
	check_eq "PPID (the real parent) of a traced process" "$parent" \
		"$(run ps -o ppid= -p "$child" | tr -d ' ')"
	ctl_ok stop "$child" >/dev/null
	check_eq "STAT of a traced, stopped process" t "$(run ps -o stat= -p "$child" | tr -d ' ' | cut -c1)"
	check_eq "tracer sees the stop" "$child $(((19 << 8) | 0x7f))" "$(ctl_ok wait "$tracer" "$child")"
	ctl_ok detach "$child" >/dev/null
	check_match "TracerPid after detach" "^TracerPid:[[:space:]]+0\$" "$(run cat "/proc/$child/status")"
	check_eq "STAT of a stopped process" T "$(run ps -o stat= -p "$child" | tr -d ' ' | cut -c1)"
	check_eq "parent sees the stop with untraced" "$child $(((19 << 8) | 0x7f))" \
		"$(ctl_ok wait "$parent" "$child" untraced)"
	ctl_ok cont "$child" >/dev/null
	st=$(run ps -o stat= -p "$child" | tr -d ' ' | cut -c1)
	check_eq "STAT after cont" S "$st"
	check_eq "parent sees the continue" "$child 65535" "$(ctl_ok wait "$parent" -1 continued)"

	ctl_ok ptrace "$child" "$parent" >/dev/null
	check_match "TracerPid when the parent traces its child" "^TracerPid:[[:space:]]+$parent\$" \
		"$(run cat "/proc/$child/status")"
	ctl_ok kill "$child" KILL >/dev/null
	check_eq "STAT of the killed child" Z "$(run ps -o stat= -p "$child" | tr -d ' ' | cut -c1)"
	check_eq "wait status of a killed child is the signal" "$child 9" \
		"$(ctl_ok wait "$parent" "$child")"
	err=$(ctl kill "$child" TERM 2>&1) && fail "kill of a reaped pid succeeded: $err"
	check_match "kill of a reaped pid" '^procsimctl: ESRCH: ' "$err"
}

one_strategy "$MODE"
finish
