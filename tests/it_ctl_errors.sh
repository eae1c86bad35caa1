#!/usr/bin/env bash
# Bad control input fails cleanly: procsimctl exits 1 and names the errno in
# its message; raw writes of garbage to the ctl file fail; nothing changes
# (same `ps -e` count) and the daemon keeps working afterwards.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# expect_error ERRNO_NAME CTL-ARGS...: procsimctl must fail with exit 1 and
# the daemon's "ENAME: message" on stderr.
expect_error() {
	local name=$1 rc=0 err
	shift
	err=$(ctl "$@" 2>&1 >/dev/null) || rc=$?
	if ((rc != 1)); then
		fail "procsimctl $*: exit $rc, expected 1 (stderr: $err)"
	elif ! grep -Eq "(^|: )$name: " <<<"$err"; then
		fail "procsimctl $*: stderr '$err' does not name $name"
	fi
}

procsim_start -o populate=100
before=$(nprocs)
ef_before=$(run ps -e -o pid=,ppid=,stat=,comm=)

expect_error EINVAL frobnicate 1
expect_error EINVAL fork
expect_error EINVAL fork notapid
expect_error EINVAL fork 1 0
expect_error EINVAL fork 1 -3
expect_error EINVAL exec
expect_error EINVAL mmap 1
expect_error EINVAL wait 1
expect_error EINVAL $'fork\x01\xff\xfe 1'
expect_error EINVAL $'\x7f\x80\x90'
expect_error ESRCH fork 99999
expect_error ESRCH fork 999999999
expect_error ESRCH exit 99999
expect_error ESRCH clone 99999
expect_error ESRCH exec 99999 ghost
expect_error ESRCH mmap 99999 4096
expect_error EPERM exit 1
expect_error ECHILD wait 1 99999
expect_error EINVAL pid_max 5
# Too many pids: all or nothing, not as many as fit.
ctl_ok pid_max 400 >/dev/null
expect_error EAGAIN fork 1 1000
ctl_ok pid_max 32768 >/dev/null

# Raw bytes straight into the ctl file, NULs included: the write fails.
raw_write() {
	timeout 10 bash -c 'printf "$1" >"$2"' _ "$1" "$MNT/procsim/ctl" 2>/dev/null
}
for bytes in '\0\0\0\0' 'fork\0 1\n' '\377\376\375\374\n' '\n' ' \t \n'; do
	if raw_write "$bytes"; then
		fail "writing '$bytes' to the ctl file succeeded"
	fi
done
# A line longer than any command.
if timeout 10 bash -c 'head -c 100000 /dev/zero | tr "\0" x >"$1"' _ "$MNT/procsim/ctl" 2>/dev/null; then
	fail "writing 100000 x's to the ctl file succeeded"
fi

check_eq "ps -e count after bad input" "$before" "$(nprocs)"
check_eq "ps -e pid/ppid/stat/comm after bad input" "$ef_before" \
	"$(run ps -e -o pid=,ppid=,stat=,comm=)"

# Still alive and still obeying.
read -r pid <<<"$(ctl_ok fork 1)"
check_eq "ps -e count after one good fork" $((before + 1)) "$(nprocs)"
check_eq "ppid of $pid" 1 "$(run ps -o ppid= -p "$pid" | tr -d ' ')"
finish
