#!/usr/bin/env bash
# Permissions, as an unprivileged user (setpriv) against a root daemon:
# - by default (no allow_other) other users get nothing at all;
# - with -o allow_other the daemon adds default_permissions, so the kernel
#   checks modes: stat is world-readable, environ is 0400 and owned by the
#   simulated process's uid (its owner reads it, others get EACCES), and
#   the ctl file is writable only by the mount's owner.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

((EUID == 0)) || skip "needs root to act as other users"
command -v setpriv >/dev/null || die "setpriv missing (util-linux)"

# as UID CMD...: CMD as uid/gid UID with no groups; prints stderr too.
as() {
	local uid=$1
	shift
	timeout 20 setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@" 2>&1
}

mount_opts() { awk -v m="$MNT" '$2 == m { print $4 }' /proc/self/mounts; }

# --- default: no allow_other, other users are shut out ---
procsim_start
opts=$(mount_opts)
[[ ,$opts, == *,allow_other,* ]] && fail "allow_other without being asked: $opts"
out=$(as 65534 cat "$MNT/1/stat") && fail "uid 65534 read 1/stat without allow_other"
check_match "uid 65534 without allow_other" "Permission denied" "$out"
check_match "root reads 1/stat" "^1 \(" "$(cat "$MNT/1/stat")"
procsim_stop || fail "the daemon without allow_other did not stop cleanly"

# --- allow_other: default_permissions on, modes enforced ---
procsim_start -o allow_other,populate=200
opts=$(mount_opts)
check_match "mount options" "(^|,)default_permissions(,|$)" "${opts//,/$'\n'}"
check_match "mount options" "(^|,)allow_other(,|$)" "${opts//,/$'\n'}"

check_match "uid 65534 reads 1/stat" "^1 \(" "$(as 65534 cat "$MNT/1/stat")"
check_match "uid 65534 reads 1/status" "^Name:" "$(as 65534 cat "$MNT/1/status")"
check_eq "1/environ mode and owner" "400 0" "$(stat -c '%a %u' "$MNT/1/environ")"
out=$(as 65534 cat "$MNT/1/environ") && fail "uid 65534 read 1/environ"
check_match "uid 65534 reads 1/environ" "Permission denied" "$out"

# A process of uid 1000 (populate makes user sessions): its environ is
# 0400 and its owner's; uid 1000 reads it, uid 65534 does not.
upid=
for d in "$MNT"/[0-9]*; do
	if [[ $(stat -c %u "$d") == 1000 ]]; then
		upid=${d##*/}
		break
	fi
done
[[ -n $upid ]] || die "populate made no process of uid 1000"
check_eq "$upid/environ mode and owner" "400 1000" "$(stat -c '%a %u' "$MNT/$upid/environ")"
as 1000 cat "$MNT/$upid/environ" >/dev/null || fail "uid 1000 cannot read its own $upid/environ"
out=$(as 65534 cat "$MNT/$upid/environ") && fail "uid 65534 read $upid/environ"
check_match "uid 65534 reads $upid/environ" "Permission denied" "$out"
out=$(as 1000 cat "$MNT/1/environ") && fail "uid 1000 read 1/environ"

# ctl: only the mount's owner (root here) writes; nobody else, not even
# the owner of a simulated process.
check_eq "ctl owner" "0" "$(stat -c %u "$MNT/procsim/ctl")"
before=$(sed -n 's/^processes //p' "$MNT/procsim/stats")
for uid in 65534 1000; do
	out=$(as "$uid" sh -c 'echo "fork 1" >"$1"' _ "$MNT/procsim/ctl") &&
		fail "uid $uid wrote to ctl"
	check_match "uid $uid writes ctl" "Permission denied" "$out"
	out=$(as "$uid" "$PROCSIMCTL" -m "$MNT" fork 1) && fail "uid $uid ran procsimctl fork"
	check_match "uid $uid runs procsimctl" "Permission denied|EACCES" "$out"
done
check_eq "processes after refused writes" "$before" "$(sed -n 's/^processes //p' "$MNT/procsim/stats")"
check_match "root forks" "^[0-9]+$" "$(ctl fork 1)"
finish
