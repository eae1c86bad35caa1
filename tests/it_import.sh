#!/usr/bin/env bash
# Import of this machine's own /proc (docs/import.md): live, through
# `ctl import /proc`, or from a procsim-snap copy taken in the test.
#
# `ps -eo pid,ppid,user,stat,nlwp,comm,args` through procsim-run must equal
# the host's for every process that existed across the import.  The host
# side runs outside procsim-run, twice: before the import (B) and after it
# (A).  A process is compared when it is in both B and A with the same line
# in both, apart from its state letter; left out are:
#   - processes absent from B: the import's own tools (procsimctl, tar,
#     procsim-snap's cats) and anything else born meanwhile;
#   - processes whose line changed between B and A (a kworker renamed by its
#     next work item, a thread pool grown): the import read a third state.
# "The same line in both" is checked on more than B and A: a sampler reads
# the host's ps every 0.3 s while the import runs, and a process must have
# the same line in every sample.  A change faster than that (a thread born
# and gone between two samples) can still slip through: an attempt with
# differences is repeated, up to three times in all, and only the last
# one's differences fail the test (a real bug differs every time).
# The state letter (STAT's first character) may differ only among R, S, D
# and I: the scheduler moves a task between them with no visible event, so
# the import's read, between B and A, may catch another one.  T, t, Z and X
# come only from events and must match; STAT's other letters (<, N, L, s, l,
# +) must match exactly.  Lines are compared with runs of blanks squeezed:
# ps sizes the PID column by pid_max, which import may set differently.
#
# `pmap -x` of three host processes must match too: three with a stable
# pmap -x (the same in B and A) inside the model's domain, where every
# writable anonymous row's Dirty is its RSS and every other row's Dirty is
# 0 or its RSS (procsim keeps dirtiness all or nothing per VMA; the vdso is
# read-only anonymous memory, resident but clean).  The [vsyscall] row
# is the kernel's gate page, no VMA of the mm: it is left out, and the
# total's Kbytes is the host's less its size.
# modes: live snap
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODE=${PROCSIM_MODE:-live}
PS_ARGS=(-eo pid,ppid,user,stat,nlwp,comm,args)

# squeeze: blanks squeezed, leading ones dropped, header removed.
squeeze() { tail -n +2 | sed -e 's/^ *//' -e 's/  */ /g'; }

host_ps() { ps "${PS_ARGS[@]}" | squeeze; }

# pmap_rows: pmap -x output without the [vsyscall] row and the total.
pmap_rows() { grep -v -e '^ffffffffff600000 ' -e '^total kB' -e '^---' || true; }

# in_domain: every row's Dirty is what procsim can show.
in_domain() {
	local addr kb rss dirty mode map
	while read -r addr kb rss dirty mode map; do
		[[ $addr =~ ^[0-9a-f]{16}$ ]] || continue
		if [[ $map == "[ anon ]" || $map == \[*\] ]] && [[ $mode == *w* ]]; then
			((dirty == rss)) || return 1
		else
			((dirty == 0 || dirty == rss)) || return 1
		fi
	done
	return 0
}

procsim_start

# Three host processes of the test's own whose pmap -x is in the
# model's domain (sleep's is), so the pmap check does not hang on what
# else this machine happens to run (a quiet CI machine had only two).
own=()
for _ in 1 2 3; do
	sleep 600 &
	own+=("$!")
done
at_exit 'kill "${own[@]}" 2>/dev/null || true'
for pid in "${own[@]}"; do	# exec'd: a read before would see the shell
	for _ in $(seq 100); do
		[[ $(cat "/proc/$pid/comm" 2>/dev/null) == sleep ]] && break
		sleep 0.05
	done
done

# Host processes whose line stayed the same (apart from the state letter)
# in every read; the value is the first read's line.
declare -A before pmap_before stable sim
unstable_in() {	# FILE: drop from stable every pid whose line differs
	local pid ppid user stat rest
	while read -r pid ppid user stat rest; do
		[[ -n ${stable[$pid]-} ]] || continue
		read -r sppid suser sstat srest <<<"${stable[$pid]}"
		[[ "$ppid $user ${stat:1} $rest" == "$sppid $suser ${sstat:1} $srest" ]] ||
			unset "stable[$pid]"
	done <"$1"
}

# import_once: take B, import (sampling the host meanwhile), take A.
import_once() {
	local pid rest samp f seen
	stable=() before=()
	host_ps >"$TEST_TMP/B"
	while read -r pid rest; do before[$pid]=$rest stable[$pid]=$rest; done <"$TEST_TMP/B"
	samp=$TEST_TMP/samples
	rm -rf "$samp"
	mkdir "$samp"
	( i=0; while [[ ! -e $samp/stop ]]; do host_ps >"$samp/$i"; i=$((i + 1)); sleep 0.3; done ) &
	local sampler=$!
	case $MODE in
	live)
		reply=$(ctl import /proc) || fail "ctl import /proc failed: $reply"
		;;
	snap)
		rm -rf "$TEST_TMP/snap" "$TEST_TMP/snap.tar.zst"
		"$PROCSIM_SRC/tools/procsim-snap" /proc "$TEST_TMP/snap.tar.zst" 2>/dev/null ||
			die "procsim-snap failed"
		mkdir "$TEST_TMP/snap"
		tar --zstd -xf "$TEST_TMP/snap.tar.zst" -C "$TEST_TMP/snap" || die "untar failed"
		[[ -f $TEST_TMP/snap/procsim-snap ]] || fail "no manifest in the snapshot"
		reply=$(ctl import "$TEST_TMP/snap") || fail "ctl import of the snapshot failed: $reply"
		;;
	*) die "unknown mode $MODE" ;;
	esac
	touch "$samp/stop"
	wait "$sampler" || true
	host_ps >"$TEST_TMP/A"
	for f in "$samp"/[0-9]* "$TEST_TMP/A"; do
		[[ -e $f ]] || continue
		unstable_in "$f"
		# gone from a read: not across the whole import
		declare -A seen=()
		while read -r pid _; do seen[$pid]=1; done <"$f"
		for pid in "${!stable[@]}"; do
			[[ -n ${seen[$pid]-} ]] || unset "stable[$pid]"
		done
	done
}

# Volatile state letters: changed by the scheduler, with no event.
volatile() { [[ $1 == [RSDI] ]]; }

# compare_ps REPORT: the simulation's ps against the stable host lines;
# with REPORT set, each difference is a FAIL.  Prints the count of
# differences.
compare_ps() {
	local report=$1 pid b s out ok l compared=0 bad=0
	out=$(run ps "${PS_ARGS[@]}") || { fail "ps through procsim-run exited $?"; echo 1; return; }
	sim=()
	while read -r pid rest; do sim[$pid]=$rest; done < <(squeeze <<<"$out")
	for pid in "${!stable[@]}"; do
		b=${stable[$pid]}
		compared=$((compared + 1))
		s=${sim[$pid]-}
		read -r bppid buser bstat brest <<<"$b"
		read -r sppid suser sstat srest <<<"$s"
		ok=1
		[[ -n $s && "$sppid $suser ${sstat:1} $srest" == "$bppid $buser ${bstat:1} $brest" ]] || ok=0
		l=${sstat:0:1}
		if ((ok)) && [[ $l != "${bstat:0:1}" ]]; then
			volatile "$l" && volatile "${bstat:0:1}" || ok=0
		fi
		if ((!ok)); then
			bad=$((bad + 1))
			((report)) && fail "pid $pid differs: host '$b', simulation '${s:-(missing)}'"
		fi
	done
	log "ps: compared $compared of ${#before[@]} host processes, $bad differ"
	# A host that forked heavily meanwhile leaves too few to judge: try again.
	if ((compared < ${#before[@]} * 6 / 10)); then
		((report)) && fail "only $compared of ${#before[@]} host processes were stable enough to compare"
		bad=$((bad + 1))
	fi
	echo "$bad"
}

# pmap -x before, of every user process in the model's domain (kernel
# threads have no maps; unreadable maps show the header only).
cands=()
while read -r pid _ppid _user _stat _nlwp _comm args; do
	[[ $args == \[* ]] && continue
	out=$(pmap -x "$pid" 2>/dev/null) || continue
	(($(grep -c . <<<"$out") > 4)) || continue
	in_domain <<<"$out" || continue
	pmap_before[$pid]=$out
	cands+=("$pid")
done < <(host_ps)
log "pmap -x: ${#cands[@]} host processes in the model's domain"
((${#cands[@]} >= 3)) || fail "fewer than 3 host processes with a pmap -x in the model's domain"


for attempt in 1 2 3; do
	import_once
	log "attempt $attempt: $reply"
	last=0
	((attempt < 3)) || last=1
	bad=$(compare_ps "$last")
	((bad == 0)) && break
	log "attempt $attempt: $bad processes differ (a change between samples?); again"
done
check_match "one-line summary" '^ok imported [0-9]+ processes, [0-9]+ threads, pid_max [0-9]+; orphans [0-9]+ \(.*\), vanished [0-9]+ \(.*\), unreadable cmdline [0-9]+, environ [0-9]+, maps [0-9]+ \(.*\)' "$reply"

# pmap -x: three stable ones in the model's domain.
matched=0
for pid in "${cands[@]}"; do
	((matched < 3)) || break
	[[ -n ${stable[$pid]-} ]] || continue
	now=$(pmap -x "$pid" 2>/dev/null) || continue
	[[ $now == "${pmap_before[$pid]}" ]] || continue
	in_domain <<<"$now" || continue
	got=$(run pmap -x "$pid") || { fail "pmap -x $pid through procsim-run exited $?"; continue; }
	check_eq "pmap -x $pid rows" "$(pmap_rows <<<"$now")" "$(pmap_rows <<<"$got")"
	read -r _ _ hkb hrss hdirty <<<"$(grep '^total kB' <<<"$now")"
	vs=$(awk '/^ffffffffff600000 / { print $2 }' <<<"$now")
	check_eq "pmap -x $pid total" "total kB $((hkb - ${vs:-0})) $hrss $hdirty" \
		"$(grep '^total kB' <<<"$got" | sed 's/  */ /g')"
	matched=$((matched + 1))
done
((matched == 3)) || fail "only $matched host processes had a stable pmap -x in the model's domain"
log "pmap -x: $matched processes match"

finish
