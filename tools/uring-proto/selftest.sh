#!/usr/bin/env bash
# tools/uring-proto/selftest.sh UURING_PROTO: serve a small tree over
# /dev/fuse (1 and 2 threads) and over io_uring, read it as ps would, and
# check every byte and that each transport carried the requests it claims.
# Exits 77 (skipped, with the reason) where it cannot mount or the kernel
# does not offer FUSE over io_uring; sets enable_uring=Y for its run if it
# is N (and says so), and restores it.
set -euo pipefail

exe=${1:?usage: selftest.sh PATH/TO/uring-proto}
param=/sys/module/fuse/parameters/enable_uring
dirs=300
skip() { echo "uring_proto: SKIPPED: $*"; exit 77; }
fail() { echo "uring_proto: FAILED: $*"; exit 1; }

((EUID == 0)) || skip "mount(2) needs root"
[[ -c /dev/fuse ]] || skip "no /dev/fuse"
mnt=$(mktemp -d /tmp/uring-proto-test.XXXXXX)
old=
server=
# A wedged connection would hang even `mountpoint`: abort it by its fusectl
# file (the device minor in mountinfo) before unmounting.
cleanup() {
	local dev
	dev=$(awk -v m="$mnt" '$5 == m { print $3 }' /proc/self/mountinfo)
	if [[ -n $dev ]]; then
		echo 1 >"/sys/fs/fuse/connections/${dev#*:}/abort" 2>/dev/null || true
		umount -l "$mnt" || true
	fi
	[[ -n $server ]] && kill -9 "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rmdir "$mnt"
	if [[ -n $old && $old != Y ]]; then
		echo "$old" >"$param" && echo "uring_proto: $param restored to $old"
	fi
	return 0
}
trap cleanup EXIT

# run TRANSPORT SERVE-FLAGS...: serve, drive a cold and a warm pass, check
# the CSV, unmount.  Returns 3 when the kernel refuses the transport.
run() {
	local transport=$1 out
	shift
	coproc SRV { exec "$exe" serve --transport="$transport" --dirs=$dirs "$@" "$mnt" 2>&1; }
	server=$SRV_PID
	local line=
	read -r -t 20 line <&"${SRV[0]}" || true
	if [[ $line != "ready $transport" ]]; then
		wait "$server" && rc=0 || rc=$?
		server=
		((rc == 3)) && { echo "$line"; return 3; }
		fail "$transport $*: server not ready: $line"
	fi
	out=$("$exe" drive --dirs=$dirs --passes=cold,warm "$mnt") ||
		fail "$transport $*: drive failed"
	umount "$mnt"
	wait "$server" || fail "$transport $*: server exited $?"
	server=
	# pass,dirs,wall_s,total,lookup,getattr,open,read,release,readdir,other,ring
	awk -F, -v t="$transport" -v n=$dirs '
		NR == 1 { next }
		$1 == "cold" && ($5 != 2 * n || $8 != n || $7 != n) { bad = "cold: " $0 }
		$1 == "warm" && ($5 != 0 || $8 != 0 || $7 != n) { bad = "warm: " $0 }
		# RELEASE is asynchronous: one may be between its two counters.
		t == "uring" && $4 - $12 > 1 { bad = "not all through the ring: " $0 }
		t == "dev" && $12 != 0 { bad = "ring requests on /dev/fuse: " $0 }
		END { if (bad) { print bad; exit 1 } }' <<<"$out" ||
		fail "$transport $*: unexpected request counts"
	echo "uring_proto: $transport $*: ok"
}

run dev --threads=1
run dev --threads=2

[[ -e $param ]] || skip "dev ok; no $param: kernel without FUSE over io_uring"
old=$(cat "$param")
if [[ $old != Y ]]; then
	echo "uring_proto: setting $param=Y for this test (was $old)"
	echo Y >"$param" 2>/dev/null || skip "dev ok; cannot set $param"
fi
run uring --depth=2 || skip "dev ok; the kernel refused uring (above)"
