#!/usr/bin/env bash
# Stress: real ps, top and pstree in loops (through procsim-run) while ctl
# writers storm fork, exit+wait, clone, exec, mmap and munmap, for
# STRESS_SECONDS (default 60).  Run against the ASan daemon (label stress)
# and the TSan daemon (label tsan); lib.sh fails the test on any sanitizer
# report or leak at exit.  Pass also means:
#   - every tool exits 0 with empty stderr;
#   - every `ps -eo pid,ppid,stat,comm` row is well formed;
#   - every /proc/<pid>/stat read directly is complete (52 fields, '\n');
#   - the final process and thread counts equal the writers' tallies.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECS=${STRESS_SECONDS:-60}
WRITERS=${STRESS_WRITERS:-2}
procsim_start -o populate=200
work=$(mktemp -d)
at_exit 'rm -rf "$work"'

stat_of() { sed -n "s/^$1 //p" "$MNT/procsim/stats"; }
procs0=$(stat_of processes)
threads0=$(stat_of threads)

# reader NAME CMD...: run the tool until the deadline; count runs and
# record any failure in $work/NAME.fail.
reader() {
	local name=$1 n=0 rc out err
	shift
	while ((SECONDS < end)); do
		rc=0
		out=$(run "$@" 2>"$work/$name.err") || rc=$?
		err=$(<"$work/$name.err")
		if ((rc != 0)) || [[ -n $err ]]; then
			printf '%s: exit %d, stderr: %s\n' "$*" "$rc" "$err" >>"$work/$name.fail"
		elif [[ $name == psrows ]]; then
			# pid ppid stat comm: numbers, a state letter, a name.
			bad=$(grep -Ev '^ *[0-9]+ +[0-9]+ +[RSDZTtXIW][<NLsl+]* +[^ ].*$' <<<"$out" || true)
			[[ -z $bad ]] || printf 'bad ps rows:\n%s\n' "$bad" >>"$work/$name.fail"
		fi
		n=$((n + 1))
	done
	echo "$n" >"$work/$name.runs"
}

# Direct reads of every process's stat: complete lines, 52 fields.
stat_reader() {
	local n=0
	while ((SECONDS < end)); do
		timeout 30 python3 - "$MNT" >>"$work/stat.fail" <<'PY' || echo "stat reader failed" >>"$work/stat.fail"
import os, sys
mnt = sys.argv[1]
for pid in os.listdir(mnt):
    if not pid.isdigit():
        continue
    try:
        with open(os.path.join(mnt, pid, "stat"), "rb") as f:
            s = f.read()
    except (FileNotFoundError, ProcessLookupError):
        continue          # exited since the listing: fine
    tail = s[s.rfind(b")") + 2:]
    if not s.endswith(b"\n") or len(tail.split()) != 50 or not s.startswith(pid.encode() + b" ("):
        print("incomplete stat of %s: %r" % (pid, s))
PY
		n=$((n + 1))
	done
	echo "$n" >"$work/stat.runs"
}

end=$((SECONDS + SECS))
pids=()
for ((w = 1; w <= WRITERS; w++)); do
	timeout $((SECS + 120)) python3 "$PROCSIM_SRC/tests/rel_stress_writer.py" \
		"$MNT/procsim/ctl" "$SECS" "$w" >"$work/writer$w.out" 2>&1 &
	pids+=($!)
done
reader psaux ps aux & pids+=($!)
reader psrows ps -eo pid=,ppid=,stat=,comm= & pids+=($!)
reader top top -b -n1 & pids+=($!)
reader pstree pstree -p & pids+=($!)
stat_reader & pids+=($!)
for p in "${pids[@]}"; do
	wait "$p" || fail "a stress process (pid $p) failed"
done

ops=0 procs=$procs0 threads=$threads0
for ((w = 1; w <= WRITERS; w++)); do
	read -r _ o _ p _ t <"$work/writer$w.out" 2>/dev/null ||
		{ fail "writer $w: $(cat "$work/writer$w.out")"; continue; }
	[[ $o =~ ^[0-9]+$ ]] || { fail "writer $w: $(cat "$work/writer$w.out")"; continue; }
	ops=$((ops + o)) procs=$((procs + p)) threads=$((threads + t))
done
for f in "$work"/*.fail; do
	[[ -s $f ]] || continue
	fail "$(basename "$f" .fail): $(head -c 2000 "$f")"
done
check_eq "processes in /proc/procsim/stats" "$procs" "$(stat_of processes)"
check_eq "threads in /proc/procsim/stats" "$threads" "$(stat_of threads)"
check_eq "processes ps -e lists" "$procs" "$(nprocs)"
runs=""
for f in "$work"/*.runs; do
	runs+=" $(basename "$f" .runs)=$(<"$f")"
done
summary="STRESS ${SECS}s: $ops ctl operations by $WRITERS writers; tool runs:$runs; final processes $procs threads $threads"
log "$summary"
echo "$summary" >"$PROCSIM_BUILD/$TEST_NAME.summary"	# tools/test prints it
finish
