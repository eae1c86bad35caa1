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
MNT=
DAEMON_PID=
FAILED=0

log() { echo "$TEST_NAME: $*" >&2; }

# Stop now: setup went wrong, nothing further can be checked.
die() {
	log "FATAL: $*"
	exit 1
}

# Record a failed check and go on, so one run shows every difference.
fail() {
	log "FAIL: $*"
	FAILED=1
}

check_eq() {
	local what=$1 want=$2 got=$3
	[[ $got == "$want" ]] && return 0
	fail "$what: expected '$want', got '$got'"
}

# check_match WHAT ERE TEXT: some line of TEXT matches ERE.
check_match() {
	local what=$1 re=$2 text=$3
	grep -Eq -- "$re" <<<"$text" && return 0
	fail "$what: no line matches /$re/ in:"
	sed 's/^/    | /' <<<"$text" | head -n 40 >&2
}

check_no_match() {
	local what=$1 re=$2 text=$3
	grep -Eq -- "$re" <<<"$text" || return 0
	fail "$what: unexpected line matching /$re/:"
	grep -E -- "$re" <<<"$text" | sed 's/^/    | /' | head -n 10 >&2
}

# End of test: the exit status says whether any check failed.
finish() {
	if ((FAILED)); then
		log "FAILED"
		exit 1
	fi
	log "ok"
}

require_fuse() {
	[[ -x $PROCSIM && -x $PROCSIMCTL ]] ||
		die "no $PROCSIM or $PROCSIMCTL: build first (tools/build)"
	[[ -c /dev/fuse ]] || die "/dev/fuse missing: FUSE is not available here"
	{ : <>/dev/fuse; } 2>/dev/null || die "/dev/fuse is not usable by uid $EUID"
	command -v fusermount3 >/dev/null || die "fusermount3 missing (package fuse3)"
}

is_mounted() { grep -qs " $1 fuse" /proc/self/mounts; }

# Unmount and stop the daemon; idempotent, installed as the EXIT trap.  A
# daemon that died on its own (a crash leaves the mount "not connected")
# fails the test.
procsim_stop() {
	local rc=$? status
	if [[ -n $DAEMON_PID ]] && ! kill -0 "$DAEMON_PID" 2>/dev/null; then
		status=0
		wait "$DAEMON_PID" 2>/dev/null || status=$?
		log "FAIL: the daemon died during the test (wait status $status)"
		DAEMON_PID=
		((rc)) || rc=1
	fi
	if [[ -n $MNT ]] && is_mounted "$MNT"; then
		timeout 10 fusermount3 -u "$MNT" 2>/dev/null ||
			timeout 10 fusermount3 -u -z "$MNT" 2>/dev/null ||
			timeout 10 umount -l "$MNT" 2>/dev/null ||
			log "could not unmount $MNT"
	fi
	if [[ -n $DAEMON_PID ]]; then
		local i
		# Unmounted, it leaves by itself (a sanitized one checks for leaks).
		for ((i = 0; i < 100; i++)); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$DAEMON_PID" 2>/dev/null; then
			log "daemon $DAEMON_PID ignored SIGTERM; killing it"
			kill -KILL "$DAEMON_PID" 2>/dev/null || true
		fi
		status=0
		wait "$DAEMON_PID" 2>/dev/null || status=$?
		if ((status != 0)); then
			log "FAIL: the daemon exited with status $status"
			((rc)) || rc=1
		fi
	fi
	if [[ -n $MNT ]] && grep -Eq "$SANITIZER_REPORT" "$MNT.log" 2>/dev/null; then
		log "FAIL: sanitizer report in the daemon log:"
		grep -E -A 12 "$SANITIZER_REPORT" "$MNT.log" | head -n 40 | sed 's/^/    | /' >&2
		((rc)) || rc=1
	fi
	DAEMON_PID=
	if [[ -n $MNT ]]; then
		rmdir "$MNT" 2>/dev/null || true
		if [[ -s $MNT.log ]] && ((rc != 0)); then
			log "daemon log ($MNT.log):"
			tail -n 30 "$MNT.log" | sed 's/^/    | /' >&2
		fi
		rm -f "$MNT.log"
		MNT=
	fi
	exit "$rc"
}

# Unmount what earlier, killed test runs left under /tmp: mounts whose
# daemon is gone ("Transport endpoint is not connected").  Live mounts,
# such as those of tests running in parallel, answer stat and are left alone.
reap_stale_mounts() {
	local dev mnt _ err
	while read -r dev mnt _; do
		[[ $dev == procsim && $mnt == /tmp/procsim-* ]] || continue
		# Only a dead daemon's mount says ENOTCONN; a busy one is slow
		# (a million-process populate holds the lock for seconds).
		err=$(timeout 5 stat "$mnt" 2>&1 >/dev/null) && continue
		[[ $err == *"not connected"* ]] || continue
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
	MNT=$(mktemp -d "/tmp/procsim-$TEST_NAME.XXXXXX")
	trap procsim_stop EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	"$PROCSIM" -f "${opts[@]}" "$MNT" >"$MNT.log" 2>&1 &
	DAEMON_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		timeout 5 test -e "$MNT/procsim/ctl" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null ||
			die "procsim exited before mounting: $(tail -n 5 "$MNT.log")"
		sleep 0.1
	done
	die "no $MNT/procsim/ctl after 20 s"
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
