# shellcheck shell=bash
# tests/lib.sh: helpers for the integration tests (tests/it_*.sh), sourced
# after `set -euo pipefail`.  Each test starts its own daemon on a fresh
# mountpoint under /tmp; an EXIT trap always unmounts it and stops the daemon.
# Every call that touches the mount has a timeout, so a wedged daemon fails a
# test instead of hanging it.
#
#   procsim_start [-o OPTS]   mount; sets MNT and DAEMON_PID
#   run TOOL [ARG...]         the real TOOL with MNT as /proc (procsim-run)
#   ctl COMMAND [ARG...]      procsimctl -m MNT; prints the reply
#   fail MSG / check_eq WHAT EXPECTED ACTUAL / check_match WHAT REGEX TEXT
#   procsim_stop              unmount and stop; returns 1 if the daemon failed
#   at_exit CMD               more cleanup, run at exit before procsim_stop
#
# PROCSIM_TRANSPORT=uring runs every daemon with -o transport=uring (the
# /proc tree over FUSE io_uring): $PROCSIM is then a wrapper adding it, so
# daemons a test starts by itself use it too.  procsim_start skips the test
# (77, with the daemon's reason) where the daemon fell back to /dev/fuse,
# and fails it if the daemon did not say it serves over io_uring;
# procsim_stop fails unless the ring served requests.  tools/test runs the
# integration tests a second time so in its full mode.
#
# Rules that keep every test able to fail:
#   - checks record a FAIL and return 0; they never end the script, so one
#     run shows every difference;
#   - the EXIT trap (lib_exit) is the one place that decides the status:
#     any FAIL, die, daemon failure or non-zero exit makes it non-zero,
#     whether or not the script reaches finish;
#   - procsim_stop returns a status and never exits, so a test can stop
#     and start daemons mid-script;
#   - tests never replace the EXIT trap: they add cleanups with at_exit;
#   - a test with variants declares "# modes: A B" and reads $MODE.

: "${PROCSIM_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${PROCSIM_BUILD:=$PROCSIM_SRC/build}"
PROCSIM=$PROCSIM_BUILD/procsim
PROCSIMCTL=$PROCSIM_BUILD/procsimctl
PROCSIM_RUN=$PROCSIM_SRC/tools/procsim-run
TEST_NAME=$(basename "$0" .sh)
# Sanitized builds (build-asan, build-tsan): any report ends the daemon
# with a non-zero status, leaks at exit included; procsim_stop fails on it.
: "${ASAN_OPTIONS:=halt_on_error=1:detect_leaks=1:suppressions=$PROCSIM_SRC/tests/sanitizers/asan.supp}"
: "${UBSAN_OPTIONS:=halt_on_error=1:print_stacktrace=1}"
: "${TSAN_OPTIONS:=halt_on_error=1:exitcode=66:suppressions=$PROCSIM_SRC/tests/sanitizers/tsan.supp}"
export ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
SANITIZER_REPORT='ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer|runtime error:'

TOOL_TIMEOUT=${TOOL_TIMEOUT:-60}
MODE=
MNT=
DAEMON_PID=
FAILED=0
AT_EXIT=()

log() { echo "$TEST_NAME${MODE:+ [$MODE]}: $*" >&2; }

# A private TMPDIR for this test, removed at exit: temporary files, and the
# daemon's control mount (procsim makes it in $TMPDIR).  So the daemon's
# startup sweep of control mounts sees only this test's, never a wedged
# daemon of another user or test run on the same machine.
TEST_TMP=$(mktemp -d "/tmp/procsim-tmp-$TEST_NAME.XXXXXX")
export TMPDIR=$TEST_TMP
# Every FAIL also lands in this file, so a check that ran in a subshell
# (a $(...), a ( ) group) still counts at the end.
FAIL_LOG=$TEST_TMP/fails
: >"$FAIL_LOG"

case ${PROCSIM_TRANSPORT:-dev} in
dev) ;;
uring)
	printf '#!/bin/sh\nexec %q -o transport=uring "$@"\n' "$PROCSIM" >"$TEST_TMP/procsim"
	chmod +x "$TEST_TMP/procsim"
	PROCSIM=$TEST_TMP/procsim
	;;
*) echo "PROCSIM_TRANSPORT=$PROCSIM_TRANSPORT: not dev or uring" >&2; exit 1 ;;
esac
# PROCSIM_WARM=on|off runs every daemon with -o warm=on|off (fs/warm.h;
# the daemon's default is on), the same way.
case ${PROCSIM_WARM:-} in
'') ;;
on | off)
	printf '#!/bin/sh\nexec %q -o warm=%s "$@"\n' "$PROCSIM" "$PROCSIM_WARM" >"$TEST_TMP/procsim-warm"
	chmod +x "$TEST_TMP/procsim-warm"
	PROCSIM=$TEST_TMP/procsim-warm
	;;
*) echo "PROCSIM_WARM=$PROCSIM_WARM: not on or off" >&2; exit 1 ;;
esac

# Stop now: setup went wrong, nothing further can be checked.
die() {
	log "FATAL: $*"
	echo "FATAL: $*" >>"$FAIL_LOG"
	exit 1
}

# Record a failed check and go on, so one run shows every difference.
# Returns 0: a check never stops the script, even under set -e.
fail() {
	log "FAIL: $*"
	echo "${1%%$'\n'*}" >>"$FAIL_LOG"	# one line per failure
	FAILED=1
	return 0
}

# quote TEXT [MAX]: TEXT indented under a FAIL line, at most MAX lines.
# One process, no pipe: nothing can die of SIGPIPE under pipefail.
quote() {
	sed -n "1,${2:-40}s/^/    | /p" <<<"$1" >&2
}

# check_eq WHAT EXPECTED ACTUAL; multi-line values show as a diff.
check_eq() {
	local what=$1 want=$2 got=$3
	[[ $got == "$want" ]] && return 0
	if [[ $want$got != *$'\n'* ]]; then
		fail "$what: expected '$want', got '$got'"
		return 0
	fi
	fail "$what: differs (- expected, + got):"
	quote "$(diff -u <(echo "$want") <(echo "$got") | tail -n +3)" 40
}

# check_match WHAT ERE TEXT: some line of TEXT matches ERE.
check_match() {
	local what=$1 re=$2 text=$3
	grep -Eq -- "$re" <<<"$text" && return 0
	fail "$what: no line matches /$re/ in:"
	quote "$text" 40
}

check_no_match() {
	local what=$1 re=$2 text=$3 hits
	hits=$(grep -E -- "$re" <<<"$text") || return 0
	fail "$what: unexpected line matching /$re/:"
	quote "$hits" 10
}

# skip MSG: this test cannot run here (ctest shows it as skipped).
SKIPPED=0
skip() {
	log "skipped: $*"
	SKIPPED=1
	exit 77
}

# at_exit CMD: run CMD (eval'd) at exit, before the daemon is stopped
# (a cleanup may first have to free it).  Tests add their cleanups here
# instead of replacing lib.sh's EXIT trap.
at_exit() { AT_EXIT+=("$1"); }

# End of test.  The verdict itself is lib_exit's, so a script that ends
# without finish, or with exit 0, still fails if any check failed.
finish() { exit 0; }

# Take down what is still mounted under TEST_TMP (a killed daemon's
# control mount), then remove it, never crossing into a mount.
remove_test_tmp() {
	local _dev mnt _
	while read -r _dev mnt _; do
		[[ $mnt == "$TEST_TMP"/* ]] || continue
		timeout 10 fusermount3 -u -z "$mnt" 2>/dev/null ||
			timeout 10 umount -l "$mnt" 2>/dev/null
	done </proc/self/mounts
	rm -rf --one-file-system "$TEST_TMP"
}

# The EXIT trap: run the test's cleanups, stop the daemon, and exit 1 if
# anything failed (a check, the daemon's stop, or the script itself).
lib_exit() {
	local rc=$? nfail hook
	set +e
	for hook in "${AT_EXIT[@]}"; do
		eval "$hook"
	done
	procsim_stop || fail "the daemon did not stop cleanly"
	nfail=$(grep -c . "$FAIL_LOG" 2>/dev/null)
	remove_test_tmp
	((SKIPPED && rc == 77)) && rc=0
	if ((nfail > 0 || rc != 0)); then
		log "FAILED (${nfail:-0} failed checks, status $rc)"
		((rc)) || rc=1
	elif ((SKIPPED)); then
		rc=77
	else
		log "ok"
	fi
	exit "$rc"
}
trap lib_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


require_fuse() {
	[[ -x $PROCSIM && -x $PROCSIMCTL ]] ||
		die "no $PROCSIM or $PROCSIMCTL: build first (tools/build)"
	[[ -c /dev/fuse ]] || die "/dev/fuse missing: FUSE is not available here"
	{ : <>/dev/fuse; } 2>/dev/null || die "/dev/fuse is not usable by uid $EUID"
	command -v fusermount3 >/dev/null || die "fusermount3 missing (package fuse3)"
}

is_mounted() { grep -qs " $1 fuse" /proc/self/mounts; }

# holders_of MNT: pids of processes in other mount namespaces that still
# have MNT mounted.
holders_of() {
	local d ours pids=()
	ours=$(readlink /proc/self/ns/mnt)
	for d in /proc/[0-9]*; do
		[[ $(readlink "$d/ns/mnt" 2>/dev/null) != "$ours" ]] || continue
		grep -qs " $1 fuse" "$d/mounts" && pids+=("${d#/proc/}")
	done
	echo "${pids[*]}"
}

# procsim_stop: unmount and stop the daemon; idempotent.  Returns 1 if the
# daemon died during the test, exited non-zero or left a sanitizer report
# (each said in a log line), else 0.  Never exits: a test goes on after it
# (lib_exit calls it too).  Under set -e call it as `procsim_stop || fail ...`.
procsim_stop() {
	local rc=0 status
	if [[ -n $DAEMON_PID ]] && ! kill -0 "$DAEMON_PID" 2>/dev/null; then
		status=0
		wait "$DAEMON_PID" 2>/dev/null || status=$?
		log "the daemon died during the test (wait status $status)"
		DAEMON_PID=
		rc=1
	fi
	if [[ -n $MNT ]] && is_mounted "$MNT"; then
		timeout 10 fusermount3 -u "$MNT" 2>/dev/null ||
			timeout 10 fusermount3 -u -z "$MNT" 2>/dev/null ||
			timeout 10 umount -l "$MNT" 2>/dev/null ||
			log "could not unmount $MNT"
	fi
	if [[ -n $DAEMON_PID ]]; then
		local i held
		# Unmounted, it leaves by itself (a sanitized one checks for leaks).
		for ((i = 0; i < 100; i++)); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		# Not while a copy of its mount lives on in another mount
		# namespace (another user's unshare): wait for those, up to 60 s.
		for ((i = 0; i < 60; i++)); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			held=$(holders_of "$MNT")
			[[ -n $held ]] || break
			((i)) || log "waiting for the daemon: processes $held hold a copy of $MNT"
			sleep 1
		done
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$DAEMON_PID" 2>/dev/null; then
			log "daemon $DAEMON_PID ignored SIGTERM; killing it.  Its threads and children:"
			quote "$(ps -L -o tid=,stat=,wchan:32=,comm= -p "$DAEMON_PID"
				ps --ppid "$DAEMON_PID" -o pid=,stat=,wchan:32=,args=)" 40
			kill -KILL "$DAEMON_PID" 2>/dev/null || true
		fi
		status=0
		wait "$DAEMON_PID" 2>/dev/null || status=$?
		if ((status != 0)); then
			log "the daemon exited with status $status"
			rc=1
		elif [[ ${PROCSIM_TRANSPORT:-dev} == uring ]] &&
			grep -q 'served over io_uring' "$MNT.log" &&
			! grep -Eq 'the ring served [1-9]' "$MNT.log"; then
			log "transport=uring: the ring served no request"
			rc=1
		fi
	fi
	if [[ -n $MNT ]] && grep -Eq "$SANITIZER_REPORT" "$MNT.log" 2>/dev/null; then
		log "sanitizer report in the daemon log:"
		quote "$(grep -E -A 12 "$SANITIZER_REPORT" "$MNT.log")" 40
		rc=1
	fi
	DAEMON_PID=
	if [[ -n $MNT ]]; then
		rmdir "$MNT" 2>/dev/null || true
		if [[ -s $MNT.log ]] && ((rc != 0)); then
			log "daemon log ($MNT.log):"
			quote "$(tail -n 30 "$MNT.log")" 30
		fi
		rm -f "$MNT.log"
		MNT=
	fi
	return "$rc"
}

# stat_error PATH: stat's error message for PATH (empty if it answered
# fine).  A stat stuck on a wedged mount, uninterruptible so that not even
# SIGKILL ends it, is left behind after 5 s rather than waited for: no
# other test's daemon can hang this one.
stat_error() {
	local out=$TEST_TMP/stat.$RANDOM pid i
	stat "$1" </dev/null >/dev/null 2>"$out" &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		echo "no answer in 5 s"
	else
		wait "$pid" 2>/dev/null
		cat "$out"
	fi
	rm -f "$out"
}

# Unmount what earlier, killed test runs left under /tmp: mounts whose
# daemon is gone ("Transport endpoint is not connected").  Live mounts,
# such as those of tests running in parallel, answer stat and are left
# alone, and so are wedged ones (no answer).
reap_stale_mounts() {
	local dev mnt _
	while read -r dev mnt _; do
		[[ $dev == procsim && $mnt == /tmp/procsim-* ]] || continue
		# Only a dead daemon's mount says ENOTCONN; a busy one is slow
		# (a million-process populate holds the lock for seconds).
		[[ $(stat_error "$mnt") == *"not connected"* || $(stat_error "$mnt") == *"connection abort"* ]] || continue
		log "removing stale mount $mnt"
		timeout 10 fusermount3 -u -z "$mnt" 2>/dev/null || true
		rmdir "$mnt" 2>/dev/null || true
	done </proc/self/mounts
}

# procsim_start [-o OPTS]: mount a fresh daemon (foreground, in the
# background of this shell, so its pid is known) and wait for its ctl file.
procsim_start() {
	local -a opts=()
	if (($#)); then
		[[ $1 == -o && $# -eq 2 ]] || die "usage: procsim_start [-o OPTS]"
		opts=(-o "$2")
	fi
	require_fuse
	reap_stale_mounts
	[[ -z $MNT ]] || die "procsim_start: $MNT is still mounted (procsim_stop first)"
	MNT=$(mktemp -d "/tmp/procsim-$TEST_NAME.XXXXXX")
	"$PROCSIM" -f "${opts[@]}" "$MNT" >"$MNT.log" 2>&1 &
	DAEMON_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		timeout 5 test -e "$MNT/procsim/ctl" && { check_transport; return 0; }
		kill -0 "$DAEMON_PID" 2>/dev/null ||
			die "procsim exited before mounting: $(tail -n 5 "$MNT.log")"
		sleep 0.1
	done
	die "no $MNT/procsim/ctl after 20 s"
}

# check_transport: under PROCSIM_TRANSPORT=uring, the daemon just started
# serves over io_uring, or the test is skipped with the daemon's reason.
check_transport() {
	[[ ${PROCSIM_TRANSPORT:-dev} == uring ]] || return 0
	local why
	why=$(grep -m1 'transport=uring unavailable' "$MNT.log") &&
		skip "${why#procsim: }"
	grep -q 'served over io_uring' "$MNT.log" ||
		fail "transport=uring: the daemon does not say it serves over io_uring: $(head -c 300 "$MNT.log")"
}

# run TOOL [ARG...]: the real tool against MNT (stdout and stderr pass
# through; the exit status is the tool's, 124 on timeout).
run() {
	timeout -k 5 "$TOOL_TIMEOUT" "$PROCSIM_RUN" -m "$MNT" -- "$@"
}

# ctl COMMAND [ARG...]: one control command; prints the reply.
ctl() {
	timeout -k 5 20 "$PROCSIMCTL" -m "$MNT" "$@"
}

# ctl_ok COMMAND [ARG...]: like ctl, but a failure ends the test.
ctl_ok() {
	local out
	out=$(ctl "$@") || die "procsimctl $* failed"
	printf '%s\n' "$out"
}

# nprocs: how many processes `ps -e` lists (header excluded).
nprocs() {
	local out
	out=$(run ps -e --no-headers) || die "ps -e failed"
	grep -c . <<<"$out" || true
}

# Modes: a test whose header has a line "# modes: A B ..." runs once per
# mode with MODE set.  CMake makes each mode a test of its own, NAME.MODE,
# passing PROCSIM_MODE; run by hand without it, the script runs itself
# once per mode and fails if any mode failed.
MODES=$(sed -n '/^# modes:/{s/^# modes: *//p;q}' "$0")
MODE=${PROCSIM_MODE:-}
if [[ -n $MODE ]]; then
	[[ " $MODES " == *" $MODE "* ]] ||
		die "PROCSIM_MODE=$MODE: not one of this test's modes (${MODES:-none})"
elif [[ -n $MODES ]]; then
	for _mode in $MODES; do
		_rc=0
		PROCSIM_MODE=$_mode bash "$0" "$@" || _rc=$?
		((_rc == 0 || _rc == 77)) || fail "mode $_mode failed (status $_rc)"
	done
	exit 0
fi
