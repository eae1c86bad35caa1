#!/usr/bin/env bash
# procsimctl -h: its usage, then the daemon's own command list (so the two
# never drift); without a daemon, a note saying how to get the list.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start

out=$("$PROCSIMCTL" -m "$MNT" -h) || fail "procsimctl -h exited $?"
check_match "usage line" '^usage: procsimctl' "$out"
# Every command the daemon parses, as its help lists it.
help=$(ctl_ok help)
listed=$(sed -n '/^commands (the daemon.s help):$/,$p' <<<"$out" | tail -n +2)
check_eq "the daemon's help, after -h's usage" "$help" "$listed"
check_match "a command from the daemon's list" '^commands: fork PPID \[COUNT\];' "$out"

out=$("$PROCSIMCTL" -m /nonexistent-procsim -h) || fail "procsimctl -h without a daemon exited $?"
check_match "note without a daemon" 'no daemon at /nonexistent-procsim' "$out"
check_no_match "no command list without a daemon" '^commands(:| \()' "$out"

"$PROCSIMCTL" -m "$MNT" >/dev/null 2>&1 && fail "no COMMAND must be a usage error"
finish
