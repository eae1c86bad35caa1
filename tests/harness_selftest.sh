#!/usr/bin/env bash
# The harness's own test: tests/lib.sh must let every integration test fail.
# Small probe scripts that source lib.sh are run, and their exit status and
# output checked, with plain bash here (not lib.sh's checks, under test):
#   - a failing check makes the script exit 1, and the checks after it run
#     (a long check_match/check_no_match text once died of SIGPIPE, 141);
#   - a FAIL inside $(...), an `exit 0` after a FAIL, a die, a failing
#     command under set -e: all exit non-zero;
#   - procsim_stop mid-script does not end the script; a daemon that died
#     during the test fails it;
#   - a "# modes:" script runs every mode and fails if one does;
#   - a skip exits 77, and a clean script exits 0;
#   - no tests/it_*.sh or rel_*.sh sets a trap (lib.sh's EXIT trap decides
#     the status; cleanups go through at_exit).
set -uo pipefail

SRC=${PROCSIM_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export PROCSIM_SRC=$SRC PROCSIM_BUILD=${PROCSIM_BUILD:-$SRC/build}
unset PROCSIM_MODE
dir=$(mktemp -d /tmp/procsim-selftest.XXXXXX)
trap 'rm -rf "$dir"' EXIT
bad=0

# probe NAME BODY: a test script NAME.sh whose body follows lib.sh.
probe() {
	printf '#!/usr/bin/env bash\n%s\nset -euo pipefail\nsource %q\n%s\n' \
		"${3:-}" "$SRC/tests/lib.sh" "$2" >"$dir/$1.sh"
}

# expect NAME STATUS [REGEX...]: run NAME.sh; its status must be STATUS and
# its output (stdout and stderr) must match every REGEX.
expect() {
	local name=$1 want=$2 rc=0 out re
	shift 2
	out=$(cd "$dir" && timeout 120 bash "$name.sh" 2>&1) || rc=$?
	if ((rc != want)); then
		echo "SELFTEST FAIL: $name: exit $rc, expected $want; output:"
		sed 's/^/    | /' <<<"$out"
		bad=1
		return
	fi
	for re in "$@"; do
		if ! grep -Eq -- "$re" <<<"$out"; then
			echo "SELFTEST FAIL: $name: no line matches /$re/ in:"
			sed 's/^/    | /' <<<"$out"
			bad=1
			return
		fi
	done
	echo "selftest ok: $name (exit $rc)"
}

probe clean '
check_eq "one" 1 1
check_match "digits" "^5$" "$(seq 10)"
check_no_match "letters" "^[a-z]+$" "$(seq 10)"
finish'
expect clean 0 'clean: ok$'

# Every check fails, each after the one before; the texts are long enough
# that a pipe into head would have closed early.
probe checks_go_on '
check_eq "deliberate eq" 1 2
echo "after eq"
check_match "deliberate match" "^nomatch$" "$(seq 5000)"
echo "after match"
check_no_match "deliberate no_match" "^[0-9]+$" "$(seq 5000)"
echo "after no_match"
check_eq "deliberate multi-line eq" "$(seq 3)" "$(seq 4)"
echo "after multi-line eq"
finish'
expect checks_go_on 1 '^after eq$' '^after match$' '^after no_match$' \
	'^after multi-line eq$' 'FAILED \(4 failed checks'

probe fail_in_subshell '
x=$(fail "inside a command substitution"; echo y)
echo "x=$x"
finish'
expect fail_in_subshell 1 '^x=y$' 'FAILED \(1 failed checks'

probe exit0_after_fail '
fail "deliberate"
exit 0'
expect exit0_after_fail 1 'FAILED'

probe no_finish '
fail "deliberate"'
expect no_finish 1 'FAILED'

probe die '
die "deliberate"
echo "after die"'
expect die 1 'FATAL: deliberate'
grep -q '^after die$' <<<"$(cd "$dir" && bash die.sh 2>&1)" &&
	{ echo "SELFTEST FAIL: die: the script went on"; bad=1; }

probe set_e '
false
echo "after false"'
expect set_e 1 'FAILED \(0 failed checks, status 1\)'

probe skip '
skip "deliberate"
fail "after skip"'
expect skip 77 'skipped: deliberate'

# procsim_stop mid-script: the script goes on, daemons come and go.
probe stop_mid '
procsim_start -o populate=5
first=$MNT
procsim_stop || fail "first stop"
echo "after first stop"
[[ -z $MNT && -z $DAEMON_PID ]] || fail "procsim_stop left MNT=$MNT DAEMON_PID=$DAEMON_PID"
is_mounted "$first" && fail "$first still mounted"
procsim_start -o populate=5
check_eq "ctl on the second daemon" ok "$(ctl reset)"
procsim_stop || fail "second stop"
echo "after second stop"
finish'
expect stop_mid 0 '^after first stop$' '^after second stop$' 'stop_mid: ok$'

probe stop_mid_then_fail '
procsim_start
procsim_stop || fail "stop"
check_eq "deliberate after a stop" 1 2
echo "after the failing check"
finish'
expect stop_mid_then_fail 1 '^after the failing check$' 'FAILED \(1 failed checks'

probe daemon_died '
procsim_start
kill -KILL "$DAEMON_PID"
sleep 0.2
echo "after the kill"
finish'
expect daemon_died 1 '^after the kill$' 'the daemon died during the test'

# Modes: every mode runs, by hand or one by one as ctest does.
probe modes '
echo "mode $MODE ran"
[[ $MODE == bad ]] && fail "deliberate in mode bad"
finish' '# modes: good bad'
expect modes 1 '^mode good ran$' '^mode bad ran$' 'mode bad failed'
PROCSIM_MODE=good expect modes 0 '^mode good ran$'
PROCSIM_MODE=bad expect modes 1 '^mode bad ran$'
PROCSIM_MODE=nosuch expect modes 1 'not one of this test.s modes'

# No test replaces lib.sh's EXIT trap (its verdict would be lost): they
# use at_exit.  INT and TERM traps are lib.sh's too.
traps=0
for f in "$SRC"/tests/it_*.sh "$SRC"/tests/rel_*.sh; do
	if grep -nE '^[^#]*\btrap\b' "$f" >"$dir/traps"; then
		echo "SELFTEST FAIL: ${f#"$SRC"/} sets a trap (use at_exit):"
		sed 's/^/    | /' "$dir/traps"
		traps=1 bad=1
	fi
done
((traps)) || echo "selftest ok: no test sets a trap of its own"

if ((bad)); then
	echo "harness_selftest: FAILED"
	exit 1
fi
echo "harness_selftest: ok"
