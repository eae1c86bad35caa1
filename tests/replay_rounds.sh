#!/usr/bin/env bash
# procsim-replay's rounds (docs/replay.md): every round replays on every
# backend once, the backends' order rotated round by round; on each
# backend a plain pass over the traces and, in the first --acct-runs
# rounds, an accounted pass (first in odd rounds); --runs-csv lists every
# run in order; the answers agree (--check).
# Usage: replay_rounds.sh BUILD_DIR TRACE
set -euo pipefail
replay=$1/procsim-replay
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "replay_rounds: $*" >&2; exit 1; }
cp "$2" "$tmp/A"
cp "$2" "$tmp/B"

"$replay" --populate 50 --runs 3 --acct-runs 2 --pidstore idr,xarray,bitmap \
	--runs-csv "$tmp/runs.csv" --check "$tmp/A" "$tmp/B" > "$tmp/out.csv"

# One row per trace and backend, each of 3 plain runs and 2 accounted.
[ "$(tail -n +2 "$tmp/out.csv" | wc -l)" = 6 ] || fail "want 6 rows"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["runs"] != 3 || $col["acct_runs"] != 2 { exit 1 }' "$tmp/out.csv" ||
	fail "runs/acct_runs columns are not 3/2"
[ "$(tail -n +2 "$tmp/out.csv" | awk -F, '{ print $NF }' | sort -u | wc -l)" = 1 ] ||
	fail "backends answered differently"

# Round r starts with backend r; plain pass (0) then accounted (1) in
# round 0, accounted first in round 1, plain only in round 2.
want="0 idr A0 B0 A1 B1
0 xarray A0 B0 A1 B1
0 bitmap A0 B0 A1 B1
1 xarray A1 B1 A0 B0
1 bitmap A1 B1 A0 B0
1 idr A1 B1 A0 B0
2 bitmap A0 B0
2 idr A0 B0
2 xarray A0 B0"
got=$(awk -F, 'NR > 1 { n = split($2, p, "/"); k = $1 " " $3
		if (!(k in seen)) { seen[k] = 1; order[++m] = k }
		s[k] = s[k] " " p[n] $4 }
	END { for (i = 1; i <= m; i++) print order[i] s[order[i]] }' "$tmp/runs.csv")
[ "$got" = "$want" ] || fail "rounds or passes not as documented: got
$got"
echo "replay_rounds: ok"
