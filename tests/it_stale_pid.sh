#!/usr/bin/env bash
# reset and load reuse every pid number at once.  A reader that holds a
# /proc/PID directory fd from the old world must not read the new world's
# process of that number through it (a pstree looped forever on that):
# after reset or load the old fd answers ENOENT, as Linux does for a
# reaped pid, while the new /proc/PID reads fine.  An open task/<tid>/stat
# gets no old page-cached bytes after a reset either.  Mode: STALE_PID_OPTS
# (it_stale_pid_nocache.sh runs it with cache=off).
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -n ${STALE_PID_OPTS:-} ]]; then procsim_start -o "$STALE_PID_OPTS"; else procsim_start; fi

# probe PID CMD [ARG...] [-- CMD [ARG...]]...: open /proc/PID (and read it),
# run the ctl commands, then say what listdir and openat through the old
# fd answer, and whether a fresh /proc/PID lists.
probe() {
	timeout -k 5 60 python3 - "$MNT" "$PROCSIMCTL" "$@" <<'PY'
import errno, os, subprocess, sys
mnt, ctl, pid, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
fd = os.open(f"{mnt}/{pid}", os.O_RDONLY | os.O_DIRECTORY)
os.listdir(fd)
os.close(os.open("status", os.O_RDONLY, dir_fd=fd))
cmds = [[]]
for w in cmd:
    cmds.append([]) if w == "--" else cmds[-1].append(w)
for c in cmds:
    subprocess.run([ctl, "-m", mnt] + c, check=True, timeout=20,
                   stdout=subprocess.DEVNULL)
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
print("listdir", attempt(lambda: os.listdir(fd)),
      "openat", attempt(lambda: os.close(os.open("status", os.O_RDONLY, dir_fd=fd))),
      "fresh", attempt(lambda: os.listdir(f"{mnt}/{pid}")))
PY
}

read -r child <<<"$(ctl_ok fork 1)"
check_eq "old /proc/1 fd after reset" "listdir ENOENT openat ENOENT fresh ok" \
	"$(probe 1 reset)"
check_eq "first fork after reset (the same number)" "$child" "$(ctl_ok fork 1)"
# The same number again in the new world: the old fd still is not it.
check_eq "old /proc/$child fd after reset and a fork" \
	"listdir ENOENT openat ENOENT fresh ok" "$(probe "$child" reset -- fork 1)"

snap="$MNT.snap"
ctl_ok save "$snap" >/dev/null
check_eq "old /proc/$child fd after load" "listdir ENOENT openat ENOENT fresh ok" \
	"$(probe "$child" load "$snap")"
rm -f "$snap"
# A command that keeps the world keeps the fd good.
check_eq "/proc/$child fd after a fork" "listdir ok openat ok fresh ok" \
	"$(probe "$child" fork 1)"
# A thread file held open across a reset: its pages were the old world's
# (cache=on keeps them), so the reset drops them too (fs/thread_dirs.h).
read -r tpid <<<"$(ctl_ok fork 1)"
read -r tid <<<"$(ctl_ok clone "$tpid")"
check_eq "old task/$tid/stat fd after reset" refused "$(timeout -k 5 60 python3 - \
	"$MNT/$tpid/task/$tid/stat" "$PROCSIMCTL" "$MNT" <<'PY'
import os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.pread(fd, 4096, 0)
os.pread(fd, 4096, 0)
subprocess.run([sys.argv[2], "-m", sys.argv[3], "reset"], check=True,
               timeout=20, stdout=subprocess.DEVNULL)
try:
    os.pread(fd, 4096, 0)
    print("read the old world's bytes")
except OSError:
    print("refused")		# ENOENT, or ESRCH with cache=off
PY
)"
finish
