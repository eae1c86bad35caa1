#!/usr/bin/env bash
# Real process syscalls act on the simulation through procsim-run's seccomp
# supervisor (tools/procsim-syscalls.c): kill, pkill, renice, with Linux's
# errnos and permission checks; calls about the namespace's own processes
# still reach the kernel; a host process with a simulated pid's number is
# never signalled.  --no-syscalls keeps the old, unemulated behaviour.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -x $PROCSIM_BUILD/procsim-syscalls ]] || die "no $PROCSIM_BUILD/procsim-syscalls"
procsim_start -o populate=50

# spawn COMM [ARG...]: a new simulated child of init running COMM.
spawn() {
	local pid
	read -r pid <<<"$(ctl_ok fork 1)"
	ctl_ok exec "$pid" "$@" >/dev/null
	echo "$pid"
}
stat_of() { run ps -o stat= -p "$1" | tr -d ' ' | cut -c1; }

# kill -STOP / -CONT: T, then S, as ps shows them.
p=$(spawn sleeper 600)
run kill -STOP "$p" || fail "kill -STOP $p exited $?"
check_eq "ps -o stat after kill -STOP" T "$(stat_of "$p")"
run kill -CONT "$p" || fail "kill -CONT $p exited $?"
check_eq "ps -o stat after kill -CONT" S "$(stat_of "$p")"

# kill -9: a zombie its parent (init) reaps with status 9.
run kill -9 "$p" || fail "kill -9 $p exited $?"
check_eq "ps -o stat after kill -9" Z "$(stat_of "$p")"
check_eq "reply of 'wait 1 $p'" "$p 9" "$(ctl_ok wait 1 "$p")"
# Now gone: ESRCH, exactly as for any missing pid.
err=$(run kill -0 "$p" 2>&1) && fail "kill -0 of a reaped pid succeeded"
check_match "kill -0 of a reaped pid" 'No such process' "$err"

# A signal to a process group (kill -- -PGID): every member, no other.
pg=$(run ps -eo pgid= | sort -n | uniq -c | awk '$2 > 2 && $1 >= 2 { print $2; exit }')
[[ -n $pg ]] || die "populate made no process group of two"
members=$(run ps -eo pid=,pgid= | awk -v g="$pg" '$2 == g { print $1 }')
run kill -s STOP -- "-$pg" || fail "kill -STOP -- -$pg exited $?"
states=$(run ps -eo pgid=,stat= | awk -v g="$pg" '$1 == g { print substr($2, 1, 1) }' | sort -u)
check_eq "states in group $pg after kill -STOP -- -$pg" T "$states"
check_eq "states outside group $pg" "" \
	"$(run ps -eo pgid=,stat= | awk -v g="$pg" '$1 != g && $2 ~ /^T/')"
run kill -s CONT -- "-$pg" || fail "kill -CONT -- -$pg exited $?"
for m in $members; do
	[[ $(stat_of "$m") == T ]] && fail "member $m of group $pg still stopped after CONT"
done
err=$(run kill -s STOP -- -77777 2>&1) && fail "kill of an empty group succeeded"
check_match "kill of an empty process group" 'No such process' "$err"
g=$(spawn grouped)

# tgkill names a thread of a group: ESRCH for a thread of another group.
t=$(ctl_ok clone "$g")
py="import ctypes,os,sys;l=ctypes.CDLL(None,use_errno=True)
r=l.syscall(234,int(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]))
print(r if r>=0 else os.strerror(ctypes.get_errno()))"
check_eq "tgkill(g, its thread, STOP)" 0 "$(run python3 -c "$py" "$g" "$t" 19)"
check_eq "ps -o stat after tgkill STOP" T "$(stat_of "$g")"
check_eq "tgkill(1, g's thread, CONT)" "No such process" "$(run python3 -c "$py" 1 "$t" 18)"
check_eq "tgkill(g, its thread, 65)" "Invalid argument" "$(run python3 -c "$py" "$g" "$t" 65)"
check_eq "tgkill(g, 99999, 65): ESRCH before EINVAL" "No such process" \
	"$(run python3 -c "$py" "$g" 99999 65)"
run kill -CONT "$g"

# pkill -f matches the simulated command line and signals that pid only.
a=$(spawn worker --queue alpha)
b=$(spawn worker --queue beta)
run pkill -f 'worker --queue alph' || fail "pkill -f exited $?"
check_eq "stat of the pkill -f target" Z "$(stat_of "$a")"
check_eq "stat of the other worker" S "$(stat_of "$b")"

# renice: setpriority and getpriority on the simulated pid; ps shows NI.
out=$(run renice -n 5 -p "$b") || fail "renice exited $?"
check_match "renice's report" "old priority 0, new priority 5" "$out"
check_eq "ps -o ni after renice" 5 "$(run ps -o ni= -p "$b" | tr -d ' ')"

# taskset, ionice, chrt: affinity, io priority and policy of the simulated
# pid, as status, stat and ps show them.
out=$(run taskset -p 1 "$b") || fail "taskset -p 1 exited $?: $out"
check_match "taskset's report" "new affinity mask: 1" "$out"
check_eq "Cpus_allowed_list after taskset" "Cpus_allowed_list:	0" \
	"$(run grep Cpus_allowed_list "/proc/$b/status")"
check_match "taskset -p reading it back" "current affinity mask: 1\$" "$(run taskset -p "$b")"
run ionice -c3 -p "$b" || fail "ionice -c3 -p exited $?"
check_eq "ionice -p after ionice -c3" idle "$(run ionice -p "$b")"
run chrt -r -p 20 "$b" || fail "chrt -r -p 20 exited $?"
check_eq "ps -o cls,rtprio after chrt -r 20" "RR 20" "$(run ps -o cls=,rtprio= -p "$b" | xargs)"
run chrt -o -p 0 "$b" || fail "chrt -o -p 0 exited $?"
check_eq "ps -o cls after chrt -o" TS "$(run ps -o cls= -p "$b" | xargs)"
err=$(run taskset -p 4 "$b" 2>&1) && fail "taskset to a CPU the simulation lacks succeeded"
check_match "taskset to CPU 2 of 2" 'Invalid argument' "$err"

# prlimit: prlimit64 sets and reads the simulated process's limits.
run prlimit --pid "$b" --nofile=100:200 || fail "prlimit --nofile=100:200 exited $?"
check_eq "prlimit --pid --nofile after setting 100:200" "100 200" \
	"$(run prlimit --pid "$b" --nofile --noheadings -o SOFT,HARD | xargs)"

# killall signals through pidfd_send_signal on a /proc/<pid> directory fd.
k1=$(spawn reaper-target)
k2=$(spawn reaper-target --second)
out=$(run killall -v reaper-target 2>&1) || fail "killall exited $?: $out"
check_match "killall -v's report" "Killed reaper-target\\($k1\\) with signal 15" "$out"
check_eq "stat of killall's first target" Z "$(stat_of "$k1")"
check_eq "stat of killall's second target" Z "$(stat_of "$k2")"
err=$(run killall reaper-none 2>&1) && fail "killall of no such name succeeded"

# pidwait: pidfd_open gives an fd that polls readable once the simulated
# process exits (here by a ctl exit 1 s later, from outside the tool).
w=$(spawn awaited)
(sleep 1; ctl exit "$w" 0 >/dev/null) &
exiter=$!
t0=$(date +%s%N)
out=$(run timeout 20 pidwait -x -e awaited 2>&1) || fail "pidwait exited $?: $out"
wait "$exiter"
ms=$((($(date +%s%N) - t0) / 1000000))
((ms >= 900)) || fail "pidwait returned after $ms ms, before the exit"
check_eq "stat after pidwait" Z "$(stat_of "$w")"
# A pidfd of a zombie is readable at once; pidfd_send_signal works on it
# (and on a /proc dir fd); waitid(P_PIDFD) on it is ECHILD (never the
# caller's child); a pidfd of a thread is EINVAL, as on Linux.
py='import os,select,signal,sys
p=int(sys.argv[1]); fd=os.pidfd_open(p)
print(len(select.select([fd],[],[],0)[0]), end=" ")
try: signal.pidfd_send_signal(fd, int(sys.argv[2])); print("sent", end=" ")
except OSError as e: print(e.strerror, end=" ")
try: os.waitid(os.P_PIDFD, fd, os.WEXITED)
except ChildProcessError: print("ECHILD", end=" ")
try: os.pidfd_open(int(sys.argv[3])); print("thread ok")
except OSError as e: print(e.strerror)'
v=$(spawn victim)
vt=$(ctl_ok clone "$v")
check_eq "pidfd of a live process, STOP sent, pidfd of its thread" \
	"0 sent ECHILD Invalid argument" "$(run python3 -c "$py" "$v" 19 "$vt")"
check_eq "stat after pidfd_send_signal STOP" T "$(stat_of "$v")"
check_eq "pidfd of a zombie" "1 sent ECHILD Invalid argument" "$(run python3 -c "$py" "$w" 0 "$vt")"
# A /proc/<pid> directory fd is a pidfd for pidfd_send_signal (killall);
# a task/<tid> directory fd is not: the kernel's EBADF.
check_eq "pidfd_send_signal on /proc/<pid>, then on /proc/<pid>/task/<tid>" \
	"sent Bad file descriptor" "$(run python3 -c 'import os,signal,sys
for d in sys.argv[1:]:
    try: signal.pidfd_send_signal(os.open(d, os.O_RDONLY | os.O_DIRECTORY), 0); print("sent", end=" ")
    except OSError as e: print(e.strerror)' "/proc/$v" "/proc/$v/task/$vt")"
check_eq "pidfd_open of a missing pid" "No such process" \
	"$(run python3 -c 'import os
try: os.pidfd_open(99999)
except OSError as e: print(e.strerror)')"

# The namespace's own processes still reach the kernel: a real child of
# the tool is stopped and killed for real (the shell reports it).
out=$(run sh -c 'sleep 30 & c=$!; kill -STOP $c; ps -o stat= -p $c >/dev/null;
	kill -9 $c; wait $c; echo "status $?"')
check_eq "a real child killed inside the namespace" "status 137" "$out"

# Permissions: another uid without CAP_KILL gets EPERM, the owner may.
if ((EUID == 0)); then
	ctl_ok setuid "$b" 1000 >/dev/null
	as() { local u=$1; shift; run setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
	err=$(as 1001 kill -STOP "$b" 2>&1) && fail "uid 1001 stopped uid 1000's process"
	check_match "kill by another uid" 'Operation not permitted' "$err"
	check_eq "stat after the refused kill" S "$(stat_of "$b")"
	err=$(as 1000 renice -n 1 -p "$b" 2>&1) && fail "uid 1000 lowered its nice without CAP_SYS_NICE"
	check_match "renice to a lower nice by the owner" 'Permission denied' "$err"
	as 1000 renice -n 7 -p "$b" >/dev/null || fail "the owner could not raise its nice"
	check_eq "ps -o ni after the owner's renice" 7 "$(run ps -o ni= -p "$b" | tr -d ' ')"
	err=$(as 1001 taskset -p 1 "$b" 2>&1) && fail "uid 1001 set uid 1000's affinity"
	check_match "taskset by another uid" 'Operation not permitted' "$err"
	err=$(as 1000 chrt -f -p 5 "$b" 2>&1) && fail "uid 1000 got SCHED_FIFO without CAP_SYS_NICE"
	check_match "chrt -f by the owner" 'Operation not permitted' "$err"
	as 1000 ionice -c2 -n 7 -p "$b" || fail "the owner could not set best-effort 7"
	check_eq "ionice -p after the owner's ionice" "best-effort: prio 7" "$(run ionice -p "$b")"
	err=$(as 1000 prlimit --pid "$b" --nofile=100:300 2>&1) && fail "uid 1000 raised a hard limit"
	check_match "prlimit raising the hard limit as the owner" 'Operation not permitted' "$err"
	as 1000 prlimit --pid "$b" --nofile=50:150 || fail "the owner could not lower its limits"
	err=$(as 1001 prlimit --pid "$b" --nofile 2>&1) && fail "uid 1001 read uid 1000's limits"
	as 1000 kill -STOP "$b" || fail "uid 1000 could not stop its own process"
	check_eq "stat after the owner's kill -STOP" T "$(stat_of "$b")"
else
	log "not root: the EPERM checks need setpriv to another uid; skipped"
fi

# psutil (Debian's python3-psutil, so /usr/bin/python3): process_iter with
# nice, ionice and cpu_affinity answers for every simulated process, and
# rlimit for every one the caller may read (CAP_SYS_RESOURCE or its uid).
if /usr/bin/python3 -c 'import psutil' 2>/dev/null; then
	out=$(run /usr/bin/python3 -c '
import psutil
n = missing = 0
for p in psutil.process_iter(["nice", "ionice", "cpu_affinity"]):
    n += 1
    missing += sum(p.info[k] is None for k in ("nice", "ionice", "cpu_affinity"))
    try:
        p.rlimit(psutil.RLIMIT_NOFILE)
    except psutil.AccessDenied:
        if p.uids().real == 0:
            missing += 1
print(n, missing)') || fail "psutil exited $?: $out"
	check_eq "psutil process_iter count and missing values" "$(nprocs) 0" "$out"
else
	log "no python3-psutil (tools/deps): psutil check skipped"
fi

# glances reads every process's nice through psutil: it counted 1 process
# when nice() failed, and must count every simulated one.
if command -v glances >/dev/null; then
	out=$(run glances --stdout processcount --stop-after 1 2>&1) ||
		fail "glances exited $?: $out"
	check_eq "glances' process count" "$(nprocs)" \
		"$(sed -n "s/.*'total': \([0-9]*\).*/\1/p" <<<"$out" | tail -n 1)"
else
	log "no glances (tools/deps): glances check skipped"
fi

# top's k and r keys, driven under tmux: kill (SIGSTOP) and setpriority.
if command -v tmux >/dev/null; then
	tv=$(spawn topvictim)
	sess=procsim-it-syscalls-$$
	# wait_pane [-v] REGEX: the pane shows (-v: no longer shows) REGEX
	# within 20 s.
	wait_pane() {
		local i v=
		[[ $1 == -v ]] && { v=1; shift; }
		for ((i = 0; i < 200; i++)); do
			if tmux capture-pane -p -t "$sess" 2>/dev/null | grep -Eq -- "$1"; then
				[[ -z $v ]] && return 0
			elif [[ -n $v ]]; then
				return 0
			fi
			sleep 0.1
		done
		fail "top under tmux never showed /$1/"
		tmux capture-pane -p -t "$sess" 2>/dev/null | sed 's/^/    | /' >&2
		return 1
	}
	tmux new-session -d -s "$sess" -x 200 -y 50 \
		"timeout 60 $PROCSIM_RUN -m $MNT -- top -d 1"
	if wait_pane '^ *PID +USER'; then
		tmux send-keys -t "$sess" k
		wait_pane 'PID to (signal|kill)' && tmux send-keys -t "$sess" "$tv" Enter
		wait_pane "Send pid $tv signal" && tmux send-keys -t "$sess" 19 Enter
		wait_pane -v "Send pid $tv signal" && tmux send-keys -t "$sess" r
		wait_pane 'PID to renice' && tmux send-keys -t "$sess" "$tv" Enter
		wait_pane "Renice PID $tv to value" && tmux send-keys -t "$sess" 7 Enter
		wait_pane -v "Renice PID $tv to value" && tmux send-keys -t "$sess" q
	fi
	tmux kill-session -t "$sess" 2>/dev/null || true
	check_eq "ps -o stat,ni after top's k 19 and r 7" "TN 7" \
		"$(run ps -o stat=,ni= -p "$tv" | xargs)"
else
	log "no tmux (tools/deps): top's k and r not driven"
fi

# Property test of the trapped-call path: random calls against a model of
# Linux's rules (tests/syscalls_prop.py), as root and as uid 1000.
seed=${PROCSIM_SEED:-$RANDOM}
out=$(run python3 "$PROCSIM_SRC/tests/syscalls_prop.py" "$seed" 400 2>&1) ||
	fail "property test as root (seed $seed): $out"
if ((EUID == 0)); then
	out=$(run python3 "$PROCSIM_SRC/tests/syscalls_prop.py" "$seed" 400 1000 2>&1) ||
		fail "property test as uid 1000 (seed $seed): $out"
fi

# --no-syscalls: the old behaviour, nothing reaches the simulation.
err=$(timeout -k 5 "$TOOL_TIMEOUT" "$PROCSIM_RUN" -m "$MNT" --no-syscalls -- \
	kill -CONT "$b" 2>&1) && fail "kill with --no-syscalls succeeded"
check_match "kill with --no-syscalls" 'No such process' "$err"

# Where no listener can be had (here: procsim-run inside procsim-run, whose
# filter already has one: EBUSY), one line says so and the tool still runs.
out=$(run "$PROCSIM_RUN" -m "$MNT" -- echo inner 2>&1) || fail "nested procsim-run exited $?: $out"
check_match "nested procsim-run's tool" '^inner$' "$out"
check_match "nested procsim-run's one line" \
	'^procsim-syscalls: no seccomp user notification \(Device or resource busy\)' "$out"

# A host process whose pid a simulated process also has: the simulated
# one is signalled, the host one survives.  The host sleeper's pid is put
# just above the simulation's (ns_last_pid, as root) so the simulation
# forks a few hundred processes to reach it, not tens of thousands.
read -r last <<<"$(ctl_ok fork 1)"
for ((want = last + 100; want < last + 5000; want++)); do
	[[ -e /proc/$want ]] || break
done
echo $((want - 1)) 2>/dev/null >/proc/sys/kernel/ns_last_pid || true
sleep 600 >/dev/null 2>&1 &	# no stdout: ctest waits for its pipes
host=$!
if ((host > last && host - last <= 50000)); then
	ctl pid_max $((host + 1000)) >/dev/null 2>&1 || true
	twin=$(ctl_ok fork 1 $((host - last)) | awk '{ print $NF }')
	check_eq "the simulated twin's pid" "$host" "$twin"
	run kill -KILL "$host" || fail "kill -KILL $host (simulated) exited $?"
	check_eq "stat of the simulated twin" Z "$(stat_of "$host")"
	kill -0 "$host" 2>/dev/null || fail "the host sleeper $host was signalled"
else
	log "host pid $host is not just above the simulation's $last: twin check skipped"
fi
kill "$host" 2>/dev/null || true
finish
