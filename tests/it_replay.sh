#!/usr/bin/env bash
# ctl replay on a real mount: the recorded fixture (tests/fixtures/
# replay-small.events, from replay-workload.sh) leaves the world its events
# imply, as ps and pstree show it: the survivors with their pids, parents
# (init, for orphans), thread counts, comm and cmdline, computed here by an
# independent reading of the trace.  A truncated or corrupt trace is refused
# with one line and the world unchanged; speed=N runs in the background,
# with status and stop, while readers go on.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trace=$PROCSIM_SRC/tests/fixtures/replay-small.events
dir=$(mktemp -d /tmp/procsim-itreplay.XXXXXX)
at_exit 'rm -rf "$dir"'
procsim_start -o populate=0

# What the trace implies: the tasks alive at its end (pid ppid nlwp comm
# args), by a model that shares no code with the daemon.
model() {
	python3 - "$1" <<'EOF'
import sys, urllib.parse
def s(f): return "" if f == "?" else urllib.parse.unquote("" if f == "%" else f)
procs = {}      # tgid -> [ppid, threads set, comm, args]
lines = open(sys.argv[1]).read().split("\n")
for line in lines[3:]:
    w = line.split(" ")
    if len(w) < 2 or w[0] in ("end", "#"): continue
    kind = w[1]
    if kind == "fork":
        ptgid, cpid, ctgid = int(w[3]), int(w[4]), int(w[5])
        if cpid != ctgid:
            procs[ctgid][1].add(cpid)
        else:
            p = procs.get(ptgid)
            procs[cpid] = [ptgid if p else 1, {cpid},
                           p[2] if p else "?", p[3] if p else "?"]
    elif kind == "exec":
        p = procs.get(int(w[3]))
        if not p: continue
        comm = s(w[4]); args = [s(a) for a in w[5:]]
        if args == [""] or (len(w) == 6 and w[5] == "?") or not args or not args[0]:
            args = [comm or p[2]]
        p[2] = comm or args[0].rsplit("/", 1)[-1]
        p[3] = " ".join(args)
        p[1] = {int(w[3])}
    elif kind == "comm":
        p = procs.get(int(w[3]))
        if p and int(w[2]) == int(w[3]): p[2] = s(w[4])[:15]
    elif kind == "exit":
        pid, tgid = int(w[2]), int(w[3])
        p = procs.get(tgid)
        if not p: continue
        p[1].discard(pid)
        if not p[1]:
            del procs[tgid]
            for q in procs.values():
                if q[0] == tgid: q[0] = 1
for tgid in sorted(procs):
    p = procs[tgid]
    print(tgid, p[0], len(p[1]), p[2][:15], p[3].replace("\n", " "))
EOF
}

squeeze() { sed -E 's/^ +//; s/ +/ /g; s/ +$//'; }
world() { run ps -eo pid=,ppid=,nlwp=,comm=,args= | awk '$1 > 300' | squeeze; }

base=$(run ps -eo pid=,comm= | wc -l)
out=$(ctl replay "$trace") || fail "replay failed: $out"
check_match "summary" '^ok: 166 of 166 events: applied 166 .*remapped 0, threads 6, adopted 1, reaped [0-9]+, overruns 0, core CPU [0-9.]+ ms$' "$out"
check_eq "the world the trace implies" "$(model "$trace" | squeeze)" "$(world)"
tree=$(run pstree -p 1)
check_match "pstree: the threaded orphan under init" 'systemd\(1\).*python3\(23477\).*\{python3\}\(23484\)' "$(tr -d '\n' <<<"$tree")"
check_match "pstree: the sleeper under init" 'sleep\(23476\)' "$tree"
check_eq "ps aux: the sleeper" "root 23476 sleep 5" \
	"$(run ps aux | awk '$2 == 23476 { print $1, $2, $11, $12 }')"

# ---- bad traces: one line, the world unchanged ----
before=$(world)
head -c 3000 "$trace" >"$dir/truncated"
sed '20s/exec/exex/' "$trace" >"$dir/bad-kind"
sed '0,/ 0 17$/s// 1 17/' "$trace" >"$dir/bad-crc"
printf 'procsim-events 2\n' >"$dir/version"
ln -s "$trace" "$dir/link"
for f in truncated bad-kind bad-crc version; do
	out=$(ctl replay "$dir/$f" 2>&1) && fail "$f: replay succeeded"
	check_match "$f: the reason" '^procsimctl: E(INVAL|BADMSG): replay: line [0-9]+: .+$' "$out"
	check_eq "$f: one line" 1 "$(wc -l <<<"$out")"
done
check_match "truncated: says so" 'truncated' "$(ctl replay "$dir/truncated" 2>&1 || true)"
check_match "bad CRC: corrupt" 'EBADMSG.*corrupt' "$(ctl replay "$dir/bad-crc" 2>&1 || true)"
check_match "a FIFO is refused unopened" 'EINVAL: replay: a FIFO' \
	"$(mkfifo "$dir/fifo" && ctl replay "$dir/fifo" 2>&1 || true)"
check_match "speed=0" 'EINVAL: replay: want speed=max or speed=N' \
	"$(ctl replay "$trace" speed=0 2>&1 || true)"
check_eq "world after the refusals" "$before" "$(world)"

# ---- paced, in the background: readers are served meanwhile ----
ctl reset >/dev/null
out=$(ctl replay "$trace" speed=1) || fail "speed=1: $out"
check_match "speed=1 starts" '^started: 166 events over [0-9.]+ s of trace at speed 1' "$out"
check_match "a second is busy" 'EBUSY' "$(ctl replay "$trace" 2>&1 || true)"
n=$(run ps -e --no-headers | wc -l)	# a reader, while it runs
((n >= base)) || fail "ps during the replay: $n tasks"
check_match "status" '^(running|done): ' "$(ctl replay status)"
for ((i = 0; i < 100; i++)); do
	out=$(ctl replay status)
	[[ $out == done:* ]] && break
	sleep 0.1
done
check_match "paced replay finishes" '^done: 166 of 166 events' "$out"
check_eq "paced: the same world" "$(model "$trace" | squeeze)" "$(world)"
# Its events reach cached readers with no ctl write after them: the
# background thread publishes each event's changes (cache=on, the default).
# A reader looks the trace's processes up while they live; once the replay
# has reaped them, the kernel must not serve them from its cache.
ctl reset >/dev/null
ctl replay "$trace" speed=1 >/dev/null
declare -A looked
end=$((SECONDS + 3))	# the trace's 0.8 s at speed 1, with room; no ctl
while ((SECONDS < end)); do	# write meanwhile: a write publishes too
	for d in "$MNT"/[0-9]*; do
		p=${d##*/}
		((p > 300)) && cat "$d/stat" >/dev/null 2>&1 && looked[$p]=1
	done
done
live=" $(model "$trace" | awk '{ printf "%s ", $1 }')"
gone=0 stale=0
for p in "${!looked[@]}"; do
	[[ $live == *" $p "* ]] && continue
	gone=$((gone + 1))
	[[ -e $MNT/$p/stat ]] && stale=$((stale + 1))
done
((gone > 0)) || fail "paced: no process was read alive and reaped later (${#looked[@]} read)"
log "paced: ${#looked[@]} processes read alive, $gone of them reaped later"
check_eq "paced: reaped processes gone for a reader who had read them" 0 "$stale"
check_match "paced: done before the check" '^done: 166 of 166 events' "$(ctl replay status)"
check_eq "paced: readers see it with no ctl write" "$(model "$trace" | squeeze)" "$(world)"
# A stop: nothing more applied after it.
ctl reset >/dev/null
ctl replay "$trace" speed=1 >/dev/null
out=$(ctl replay stop)
check_match "stop" '^stopped: [0-9]+ of 166 events' "$out"
sleep 0.3
check_eq "stopped stays stopped" "$out" "$(ctl replay status)"

# ---- end to end: record this host (root), with its start snapshot ----
rec=$PROCSIM_BUILD/procsim-record
if [[ $(id -u) == 0 ]] && timeout -k 5 120 "$rec" "$dir/live.events" -- \
	"$PROCSIM_SRC/tests/fixtures/replay-workload.sh" 2>"$dir/rec.log"; then
	check_match "recorder summary" '^procsim-record: [0-9]+ events .* snapshot live.events.snap.tar.zst$' "$(tail -n 1 "$dir/rec.log")"
	check_match "header names the snapshot" '^snapshot live.events.snap.tar.zst$' "$(sed -n 3p "$dir/live.events")"
	mkdir "$dir/box"
	tar --zstd -xf "$dir/live.events.snap.tar.zst" -C "$dir/box"
	ctl import "$dir/box" >/dev/null || fail "import of the start snapshot failed"
	out=$(ctl replay "$dir/live.events") || fail "replay after import: $out"
	# The workload's first fork is the recorder's, which the snapshot has.
	check_match "replay on its start world" '^ok: .* skipped 0, remapped 0, .* adopted 0, ' "$out"
	# The trace's survivors (the two orphans), as the model sees them.
	want=$(model "$dir/live.events" | squeeze | awk '$2 == 1')
	check_eq "two orphans survive" 2 "$(grep -c . <<<"$want")"
	check_eq "the world the live trace implies" "$want" \
		"$(world | awk 'NR == FNR { p[$1]; next } $1 in p' <(echo "$want") -)"
else
	log "no recording (not root, or no proc connector): $(tail -n 1 "$dir/rec.log" 2>/dev/null)"
fi

procsim_stop || fail "daemon failed"
finish
