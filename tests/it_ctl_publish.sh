#!/usr/bin/env bash
# A ctl write invalidates only what the kernel may hold (fs/seen.h): a
# fork/exit/wait of processes nobody read sends (almost) no notification,
# and once a reader has read a process and listed /proc, its next change
# is invalidated and the reader sees it.  (tests/it_fresh.sh proves
# freshness in depth; this proves the skipping, which is the ctl
# transaction's speed: mutation seen_unused.)
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start -o populate=20,warm=off	# warm reads every file: marks

# stat_value KEY: a number from the stats file.
stat_value() { awk -v k="$1" '$1 == k { print $2 }' "$MNT/procsim/stats"; }

# ---- nobody read them: no invalidation ----
sent0=$(stat_value publish_invals_sent)
skipped0=$(stat_value publish_invals_skipped)
[[ -n $sent0 && -n $skipped0 ]] || die "no publish_invals_* lines in the stats file"
out=$(timeout 30 python3 - "$MNT/procsim/ctl" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
def tx(line):
    os.write(fd, (line + "\n").encode())
    r = os.read(fd, 4096).decode()
    assert not r.startswith("E"), (line, r)
    return r
for _ in range(20):
    pid = tx("fork 1").split()[0]
    tx(f"exit {pid}")
    tx(f"wait 1 {pid}")
print("ok")
PY
) || fail "the fork/exit/wait client failed ($?)"
check_eq "20 fork/exit/wait cycles" "ok" "$out"
sent1=$(stat_value publish_invals_sent)
skipped1=$(stat_value publish_invals_skipped)
# 60 transactions sent ~24 notifications each before (1,420 under the
# seen_unused mutation).  Not 0: anything on this machine that stats or
# lists the mount's root (a sweep of mounts) marks the root and its files.
sent=$((sent1 - sent0))
((sent < 120)) || fail "$sent invalidations sent for 60 transactions on processes nobody read (want under 2 each)"
((skipped1 > skipped0)) || fail "no invalidation was counted as skipped ($skipped0 -> $skipped1)"

# ---- read, then changed: invalidated, and the reader sees the change ----
pid=$(ctl_ok fork 1)
state=$(awk '{ print $3 }' "$MNT/$pid/stat")
check_eq "a new child's state" "S" "$state"
ls "$MNT" >/dev/null
ctl_ok exit "$pid" >/dev/null
sent2=$(stat_value publish_invals_sent)
((sent2 > sent1)) || fail "an exit of a process just read sent no invalidation"
state=$(awk '{ print $3 }' "$MNT/$pid/stat")
check_eq "its state after exit" "Z" "$state"
ctl_ok wait 1 "$pid" >/dev/null
if ls "$MNT" | grep -qx "$pid"; then
	fail "a reaped process is still listed in /proc"
fi
[[ ! -e $MNT/$pid ]] || fail "a reaped process's directory still exists"
finish
