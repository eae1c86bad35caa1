#!/usr/bin/env bash
# What save writes, as root, and what load opens: a symlink planted at
# FILE.tmp by another user is never followed; a target that is a device
# node, a symlink or a directory is refused and left as it was; load
# refuses a directory and a device without opening it.  Every error is one
# line, and the world is unchanged.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start -o populate=20
dir=$(mktemp -d /tmp/savefile.XXXXXX)
at_exit 'rm -rf "$dir"'
before=$(run ps -eo pid,ppid,uid,stat,args) || fail "ps exited $?"

# refused ERRNO REGEX COMMAND FILE: one error line, nothing changed.
refused() {
	local errno=$1 re=$2 cmd=$3 file=$4 err rc=0
	err=$(ctl "$cmd" "$file" 2>&1 >/dev/null) || rc=$?
	((rc == 1)) || fail "$cmd $file: exit $rc, expected 1"
	check_match "$cmd $file: message" "^procsimctl: $errno: $cmd: $file: $re" "$err"
	check_eq "$cmd $file: lines of the message" 1 "$(grep -c . <<<"$err")"
}

echo secret >"$dir/victim"
chmod 600 "$dir/victim"

# A symlink at FILE.tmp, planted by another user in a directory of theirs
# (no sticky-bit protection there): root must not write through it.
if [[ $EUID == 0 ]] && command -v setpriv >/dev/null; then
	mkdir "$dir/user"
	chown 65534:65534 "$dir/user"
	chmod 755 "$dir"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		ln -s "$dir/victim" "$dir/user/w.snap.tmp" ||
		fail "nobody could not plant the symlink"
	check_eq "save beside a planted FILE.tmp" ok "$(ctl save "$dir/user/w.snap")"
	check_eq "the symlink's target" secret "$(cat "$dir/victim")"
	[[ -f $dir/user/w.snap && ! -L $dir/user/w.snap ]] ||
		fail "w.snap is not a regular file: $(ls -l "$dir/user/w.snap")"
	[[ -L $dir/user/w.snap.tmp ]] || fail "the planted symlink is gone"
	check_eq "its owner" "0" "$(stat -c %u "$dir/user/w.snap")"
	check_eq "temporary files left" "" "$(cd "$dir/user" && ls -d w.snap.tmp.* 2>/dev/null)"
	chmod 700 "$dir"
else
	log "not root: skipping the planted-symlink case"
fi

# Targets that are not a regular file stay what they are.
if [[ $EUID == 0 ]]; then
	mknod "$dir/null" c 1 3
	refused EINVAL "a character device, not a regular file" save "$dir/null"
	[[ -c $dir/null ]] || fail "save replaced the device node $dir/null"
	refused EINVAL "a character device, not a regular file" load "$dir/null"
fi
ln -s "$dir/victim" "$dir/link.snap"
refused EINVAL "a symlink, not a regular file" save "$dir/link.snap"
[[ -L $dir/link.snap ]] || fail "save replaced the symlink link.snap"
check_eq "the link's target" secret "$(cat "$dir/victim")"
mkfifo "$dir/fifo.snap"
refused EINVAL "a FIFO, not a regular file" save "$dir/fifo.snap"
[[ -p $dir/fifo.snap ]] || fail "save replaced the FIFO"
mkdir "$dir/d.snap"
refused EISDIR "a directory, not a regular file" save "$dir/d.snap"
refused EISDIR "a directory, not a regular file" load "$dir/d.snap"
refused EISDIR "names a directory" save "$dir/"
refused ENOENT "No such file or directory" save "$dir/none/w.snap"

# A regular file is replaced, and a symlinked snapshot loads.
echo old >"$dir/w.snap"
check_eq "save over a regular file" ok "$(ctl save "$dir/w.snap")"
ln -s "$dir/w.snap" "$dir/latest.snap"
check_eq "load through a symlink" ok "$(ctl load "$dir/latest.snap")"
check_eq "ps after all that" "$before" "$(run ps -eo pid,ppid,uid,stat,args)"
finish
