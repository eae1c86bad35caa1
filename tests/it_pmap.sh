#!/usr/bin/env bash
# pmap shows a region mmap'ed through the ctl file at the address the daemon
# returned, with its size and protection; pmap -x and -X work; munmap
# removes it again.  The exact checks use protections no neighbour has, since
# an anonymous rw mapping merges with an adjacent one (vma_merge), as in the
# kernel.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# mmap_ok PID LEN [PROT]: the address the daemon returned.
mmap_ok() {
	local addr
	read -r addr <<<"$(ctl_ok mmap "$@")"
	[[ $addr =~ ^0x[0-9a-f]+$ ]] || die "mmap $* replied '$addr', not a 0x address"
	echo "$addr"
}

# covering ADDR PMAP_OUTPUT: the "start size mode" of the row containing ADDR.
covering() {
	local addr=$1 start size mode
	while read -r start size mode _; do
		[[ $start =~ ^[0-9a-f]{16}$ && $size =~ ^[0-9]+K$ ]] || continue
		if ((0x$start <= addr && addr < 0x$start + ${size%K} * 1024)); then
			echo "$start $size $mode"
			return 0
		fi
	done <<<"$2"
}

procsim_start -o populate=50

read -r pid <<<"$(ctl_ok fork 1)"
ctl_ok exec "$pid" mapper --big >/dev/null
addr=$(mmap_ok "$pid" 1M ---)
addr2=$(mmap_ok "$pid" 8192 r--)
addr3=$(mmap_ok "$pid" 64K)
hex=$(printf '%016x' "$addr")		# pmap's address column
hex2=$(printf '%016x' "$addr2")
[[ $addr2 != "$addr" ]] || fail "second mmap returned the same address $addr"

out=$(run pmap "$pid") || fail "pmap $pid exited $?"
check_eq "pmap header" "$pid:   mapper --big" "$(head -n 1 <<<"$out")"
check_match "pmap row of the 1M PROT_NONE region" "^$hex +1024K ----- +\\[ anon \\]\$" "$out"
check_match "pmap row of the 8K read-only region" "^$hex2 +8K r---- +\\[ anon \\]\$" "$out"
check_match "pmap total line" '^ total +[0-9]+K$' "$out"
row=$(covering "$addr3" "$out")
[[ -n $row ]] || fail "no pmap row contains the 64K rw region at $addr3"
[[ -z $row || $row == *" rw---" ]] || fail "pmap row containing $addr3: '$row', expected mode rw---"

out=$(run pmap -x "$pid") || fail "pmap -x $pid exited $?"
check_match "pmap -x header" '^Address +Kbytes +RSS +Dirty +Mode +Mapping$' "$out"
check_match "pmap -x row" "^$hex +1024 +[0-9]+ +[0-9]+ +----- +\\[ anon \\]\$" "$out"
check_match "pmap -x total" '^total kB +[0-9]+ +[0-9]+ +[0-9]+$' "$out"

err=$(run pmap -X "$pid" 2>&1 >/dev/null) || fail "pmap -X $pid exited $?: $err"
check_eq "stderr of pmap -X" "" "$err"

ctl_ok munmap "$pid" "$addr" 1048576 >/dev/null
out=$(run pmap "$pid") || fail "pmap $pid after munmap exited $?"
check_no_match "pmap after munmap" "^$hex " "$out"
check_match "the 8K region after munmap of the other" "^$hex2 +8K r---- " "$out"

# pmap of a pid that does not exist fails, as with the kernel.
if run pmap 99999 >/dev/null 2>&1; then fail "pmap 99999 succeeded"; fi
finish
