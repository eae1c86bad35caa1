#!/usr/bin/env bash
# pstree -p against the simulation: the tree is rooted at init (pid 1), and a
# child forked through the ctl file hangs under its parent.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

procsim_start -o populate=100

read -r parent <<<"$(ctl_ok fork 1)"
ctl_ok exec "$parent" branchd >/dev/null
read -ra kids <<<"$(ctl_ok fork "$parent" 2)"
ctl_ok exec "${kids[0]}" leafa >/dev/null
ctl_ok exec "${kids[1]}" leafb >/dev/null

init=$(run ps -o comm= -p 1 | tr -d ' ') || true
[[ -n $init ]] || die "ps -o comm= -p 1 printed nothing: no init"

# Plain pstree -p (the UTF-8 or VT100 drawing, whatever the locale gives).
out=$(run pstree -p) || fail "pstree -p exited $?"
check_match "first line of pstree -p" "^$init\\(1\\)" "$(head -n 1 <<<"$out")"

# ns/ is opt-in (-o ns_links=on): pstree stats every process's eight ns
# links, each a READLINK round trip, so by default there are none.
[[ -e $MNT/1/ns ]] && fail "/proc/1/ns served without -o ns_links=on"
check_no_match "ns in /proc/1 by default" '^ns$' "$(ls "$MNT/1")"

# -A: ASCII drawing, -l: no truncation, so lines can be matched exactly.
out=$(run pstree -plA) || fail "pstree -pA exited $?"
check_match "first line of pstree -pA" "^$init\\(1\\)[-+]" "$(head -n 1 <<<"$out")"
check_match "branchd under init" '[-+`|]-branchd\('"$parent"'\)-[+]-leafa\('"${kids[0]}"'\)$' "$out"
check_match "second child under branchd" '^[ |]+`-leafb\('"${kids[1]}"'\)$' "$out"
check_no_match "placeholder for a missing parent" '\?\([0-9]+\)' "$out"

# The subtree of one pid, and ancestors (-s) up to init.
sub=$(run pstree -plA "$parent") || fail "pstree -pA $parent exited $?"
pad=$(printf '%*s' $((${#parent} + 10)) '')	# under "branchd(PID)-"
check_eq "pstree -pA $parent" \
	"branchd($parent)-+-leafa(${kids[0]})
$pad\`-leafb(${kids[1]})" "$sub"
anc=$(run pstree -pslA "${kids[0]}") || fail "pstree -psA ${kids[0]} exited $?"
check_eq "pstree -psA ${kids[0]}" \
	"$init(1)---branchd($parent)---leafa(${kids[0]})" "$anc"
finish
