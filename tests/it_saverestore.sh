#!/usr/bin/env bash
# Save and restore through a real mount: save, change the world, load, and
# ps (less its clock-driven columns), every process's start time and a
# process's maps read exactly as before the change.  The load is
#   ctl_load: the ctl command `load FILE`;
#   opt_load: a new daemon started with -o load=FILE.
# A relative FILE is the caller's; a corrupt, truncated or missing file
# fails to load with one line and changes nothing.
# modes: ctl_load opt_load
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The world as ps shows it, less what moves with the clock or the host:
# ps -ef's C column is CPU time over time since start, STIME is computed
# from the boot time, and TTY names a tty_nr only if the host has that
# /dev/pts entry now.  Start times (clock ticks) and tty_nr come from stat.
view() {
	run ps -e -o user,pid,ppid,stat,nlwp,time,args
	cat "$MNT"/[0-9]*/stat | sed -E 's/^([0-9]+) \(.*\) /\1 /' |
		awk '{ print "stat", $1, "tty_nr", $6, "start", $21 }'
}

procsim_start -o populate=300

dir=$(mktemp -d /tmp/procsim-saverestore.XXXXXX)
at_exit 'rm -rf "$dir"'
read -ra kids <<<"$(ctl_ok fork 1 3)"
ctl_ok clone "${kids[0]}" >/dev/null
ctl_ok mmap "${kids[0]}" 2M rw- >/dev/null
ctl_ok stop "${kids[1]}" >/dev/null
ctl_ok ptrace "${kids[2]}" "${kids[0]}" >/dev/null

ef_before=$(view) || fail "ps exited $?"
check_match "stat of init in the view" '^stat 1 tty_nr 0 start [0-9]+$' "$ef_before"
maps_before=$(cat "$MNT/${kids[0]}/maps")
# A relative FILE is taken from procsimctl's cwd, not the daemon's (/).
(cd "$dir" && "$PROCSIMCTL" -m "$MNT" save world.snap) >/dev/null ||
	fail "save world.snap (relative) failed"
[[ -s $dir/world.snap ]] || fail "save left no $dir/world.snap"
[[ ! -e $dir/world.snap.tmp ]] || fail "save left world.snap.tmp behind"

# Change the world: new processes, an exit, a new mapping.
ctl_ok fork 1 20 >/dev/null
ctl_ok exit "${kids[1]}" 3 >/dev/null
ctl_ok mmap "${kids[0]}" 1M r-- >/dev/null
[[ $(view) != "$ef_before" ]] || fail "the change did not show in ps"

case $MODE in
ctl_load)
	check_eq "load reply" ok "$(ctl_ok load "$dir/world.snap")"
	;;
opt_load)
	# The daemon starts from a snapshot with -o load=FILE.
	procsim_stop || fail "the first daemon did not stop cleanly"
	procsim_start -o "load=$dir/world.snap"
	;;
esac
check_eq "ps after load" "$ef_before" "$(view)"
check_eq "maps of ${kids[0]} after load" "$maps_before" "$(cat "$MNT/${kids[0]}/maps")"

# expect_load_error ERRNO REGEX FILE: load fails with that line, no change.
expect_load_error() {
	local err rc=0
	err=$(ctl load "$3" 2>&1 >/dev/null) || rc=$?
	((rc == 1)) || fail "load $3: exit $rc, expected 1"
	check_match "load $3 message" "$1: load: $3: $2" "$err"
	check_eq "lines of the load $3 message" 1 "$(grep -c . <<<"$err")"
	check_eq "ps after a failed load of $3" "$ef_before" "$(view)"
}
cp "$dir/world.snap" "$dir/bad.snap"
size=$(stat -c %s "$dir/bad.snap")
printf 'X' | dd of="$dir/bad.snap" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect_load_error EINVAL "bad checksum" "$dir/bad.snap"
head -c $((size - 100)) "$dir/world.snap" >"$dir/short.snap"
expect_load_error EINVAL "truncated" "$dir/short.snap"
expect_load_error ENOENT "No such file or directory" "$dir/missing.snap"
finish
