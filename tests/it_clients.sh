#!/usr/bin/env bash
# The /proc clients beyond procps (issue 15), each run through procsim-run
# against a populated mount, with assertions on what it prints.  A client
# whose package is missing is skipped with the reason (tools/deps installs
# them all); clients that cannot work are listed in the README's table.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

skip() { log "SKIP: $*"; }
have() { command -v "$1" >/dev/null 2>&1 || { skip "$1: not installed (tools/deps)"; return 1; }; }

# ok NAME CMD...: CMD exits 0; its stdout (stderr too) in $OUT.
OUT=
ok() {
	local name=$1 rc=0
	shift
	OUT=$(run "$@" 2>&1) || rc=$?
	((rc == 0)) || fail "$name: exit $rc: $(head -c 400 <<<"$OUT")"
}

procsim_start -o populate=2000,ns_links=on
nproc=$(nprocs)
sshd=$(run pgrep -xo sshd) || die "no sshd after populate"

# --- crashes before: procinfo (/proc/interrupts), nmon -f (/etc/mtab),
#     psutil's num_fds (/proc/PID/fd) ---
if have procinfo; then
	ok procinfo procinfo
	check_match "procinfo load" "Load average: [0-9.]+ [0-9.]+ [0-9.]+ [0-9]+/[0-9]+" "$OUT"
	check_match "procinfo irqs" "irq +[0-9]+: +[0-9]+ +[0-9]+-edge" "$OUT"
fi
if have nmon; then
	dir=$(mktemp -d)
	# nmon -f daemonizes; procsim-run ends its namespace with the shell.
	ok "nmon -f" sh -c "cd '$dir' && nmon -f -s 1 -c 2 && sleep 4"
	f=$(ls "$dir"/*.nmon 2>/dev/null | head -1)
	if [[ -z $f ]]; then
		fail "nmon -f wrote no file"
	else
		out=$(cat "$f")
		check_match "nmon second snapshot" "^ZZZZ,T0002," "$out"
		check_match "nmon disks" "^DISKREAD,T0001,[0-9.]+,[0-9.]+" "$out"
		check_match "nmon processes" "^PROC,T0002,[0-9.]+," "$out"
	fi
	rm -rf "$dir"
fi
# Debian's python3-psutil is for the system python, whatever PATH says.
if [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import psutil' 2>/dev/null; then
	ok psutil /usr/bin/python3 -c '
import psutil
n = fds = 0
for p in psutil.process_iter(["num_fds"]):
    n += 1
    fds += p.info["num_fds"] or 0
print("procs", n, "fds", fds)
print("parts", " ".join(d.mountpoint for d in psutil.disk_partitions()))
print("net", psutil.net_io_counters().bytes_recv > 0)
print("listen", sorted({c.laddr.port for c in psutil.net_connections("tcp") if c.status == "LISTEN"}))
p = psutil.Process(1)
print("init", p.exe(), p.cwd(), p.num_fds())
'
	check_match "psutil process_iter(num_fds)" "^procs $nproc fds [1-9][0-9]*\$" "$OUT"
	check_match "psutil disk_partitions" "^parts / *" "$OUT"
	check_match "psutil net_io_counters" "^net True\$" "$OUT"
	check_match "psutil net_connections" "^listen \[.*\b22\b.*\]\$" "$OUT"
	check_match "psutil Process(1)" "^init /usr/lib/systemd/systemd / 5\$" "$OUT"
else
	skip "psutil: python3-psutil not installed (tools/deps)"
fi

# --- mounts: lsof, findmnt, mount, df, swapon ---
if have lsof; then
	ok "lsof -i" lsof -w -nP -i TCP:22 -sTCP:LISTEN
	check_match "lsof sshd listening" "^sshd +$sshd +root +3u +IPv4 .* TCP \*:22 \(LISTEN\)\$" "$OUT"
	ok "lsof -p 1" lsof -w -p 1
	check_match "lsof unix socket" "^systemd +1 +root +3u +unix .* /run/systemd/private type=STREAM \(LISTEN\)\$" "$OUT"
	check_match "lsof cwd" "^systemd +1 +root +cwd +DIR .* /\$" "$OUT"
fi
ok findmnt findmnt -n -o TARGET,FSTYPE /
check_match "findmnt /" "^/ +ext4\$" "$OUT"
ok mount mount
check_match "mount" "^/dev/vda1 on / type ext4 \(rw,relatime,errors=remount-ro\)\$" "$OUT"
ok "df -t ext4" df -t ext4
check_match "df" "^/dev/vda1 .* /\$" "$OUT"
ok "swapon --show" swapon --show
check_eq "swapon --show (no swap)" "" "$OUT"

# --- exe and cwd links: pwdx, pidof ---
ok "pwdx 1" pwdx 1
check_eq "pwdx 1" "1: /" "$OUT"
bash_pid=$(run pgrep -x bash | sort -n | head -1)	# the first login: pts/0
ok "pwdx bash" pwdx "$bash_pid"
check_eq "pwdx bash" "$bash_pid: /home/user" "$OUT"
ok "pidof /usr/sbin/sshd" pidof /usr/sbin/sshd
check_match "pidof sshd" "(^| )$sshd( |\$)" "$OUT"
ok "pidof -c sshd" pidof -c sshd
check_match "pidof -c sshd (same root)" "(^| )$sshd( |\$)" "$OUT"
rsyslogd=$(run pgrep -x rsyslogd) || die "no rsyslogd after populate"
ok pslog pslog "$rsyslogd"
check_match "pslog rsyslogd" "^Log path: /var/log/syslog\$" "$OUT"

# --- disks and slabs: vmstat -d, -m, slabtop; sysctl ---
ok "vmstat -d" vmstat -d
check_match "vmstat -d" "^vda +[0-9]+" "$OUT"
ok "vmstat -m" vmstat -m
tasks=$(awk '$1 == "tasks" { print $2 }' "$MNT/procsim/stats")
check_match "vmstat -m task_struct" "^task_struct +$tasks +[0-9]+ +5888 +" "$OUT"
ok "slabtop -o" slabtop -o
check_match "slabtop vm_area_struct" " vm_area_struct *\$" "$OUT"
ok sysctl sysctl vm.max_map_count kernel.osrelease
check_match "sysctl vm.max_map_count" "^vm.max_map_count = 65530\$" "$OUT"
check_match "sysctl kernel.osrelease" "^kernel.osrelease = 6\.18\." "$OUT"
ctl_ok max_map_count 1000 >/dev/null
ok sysctl sysctl -n vm.max_map_count
check_eq "sysctl after ctl max_map_count" "1000" "$OUT"

# --- terminals: ps -t, pgrep -t, the TTY column, one foreground group ---
ok "ps -t pts/0" ps -t pts/0 -o pid=,tty=,comm=
check_match "ps -t pts/0" "^ *$bash_pid +pts/0 +bash\$" "$OUT"
ok "pgrep -t pts/0" pgrep -t pts/0
check_match "pgrep -t pts/0" "^$bash_pid\$" "$OUT"
ok "ps tty,tpgid" ps -eo tty=,tpgid=,pgid=,stat=
check_no_match "TTY column" "^\? +[1-9]" "$OUT"	# a tpgid, yet no tty name
fg=$(awk '$1 != "?" && $4 ~ /\+/ { print $1, $3 }' <<<"$OUT" | sort -u |
	awk '{ n[$1]++ } END { for (t in n) if (n[t] > 1) print t }')
check_eq "ttys with more than one foreground group" "" "$fg"

# --- namespaces: pstree -N, ps's ns columns, pgrep --ns ---
ok "pstree -N net" pstree -N net
nets=$(grep -Eo '\[[0-9]+\]' <<<"$OUT" | sort -u | wc -l)
((nets >= 2)) || fail "pstree -N net: $nets namespaces, want the host's and containers'"
ok "ps netns" ps -o netns= -p 1
check_eq "ps netns of init" "4026531840" "$(tr -d ' ' <<<"$OUT")"
ok "pgrep --ns" pgrep -c --ns 1 --nslist net
hostnet=$OUT
((hostnet < nproc)) || fail "pgrep --ns 1 matched all $nproc processes (containers have their own net)"

# --- values: exe, pss/uss, io, oom, flags, %CPU ---
ok "ps exe,pss" ps -o exe=,pss=,uss=,rss=,rchars=,oom=,f= -p "$sshd"
check_match "ps exe,pss,uss,rchars,oom,flags" "^/usr/sbin/sshd +[1-9][0-9]* +[1-9][0-9]* +[1-9][0-9]* +[0-9]+ +0 +4\$" "$OUT"
ok "ps pss<rss" ps -o pss=,rss= -p 1
read -r pss rss <<<"$OUT"
((pss < rss)) || fail "PSS $pss not below RSS $rss for init (libc is shared by every process)"
ncpu=$(awk '$1 == "nr_cpus" { print $2 }' "$MNT/procsim/config")
ok "ps %cpu" ps -eo pcpu=
max=$(sort -n <<<"$OUT" | tail -1)
awk -v m="$max" -v c="$ncpu" 'BEGIN { exit !(m <= 100 * c) }' ||
	fail "ps %CPU $max above 100 × $ncpu CPUs"
if have pidstat; then
	ok "pidstat -d" pidstat -d -p "$sshd"
	check_match "pidstat -d" "^[0-9:APM ]+ +0 +$sshd +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +sshd\$" "$OUT"
	ok "iostat -d" iostat -d
	check_match "iostat vda" "^vda +[0-9.]+ +[0-9.]+ +[0-9.]+" "$OUT"
	ok "mpstat -I SUM" mpstat -I SUM
	check_match "mpstat intr/s" "all +[0-9.]+\$" "$OUT"
fi
# iotop needs the taskstats netlink family (CONFIG_TASKSTATS), which a
# FUSE file system cannot provide.
skip "iotop: needs taskstats netlink, not /proc (README)"

finish
