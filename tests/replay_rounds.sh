#!/usr/bin/env bash
# procsim-replay's rounds (docs/replay.md): every round replays on every
# backend once, the backends' order rotated round by round; --acct-runs
# bounds the accounted runs; --runs-csv has one line per plain run; the
# answers agree (--check).  Usage: replay_rounds.sh BUILD_DIR TRACE
set -euo pipefail
replay=$1/procsim-replay
trace=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "replay_rounds: $*" >&2; exit 1; }

"$replay" --populate 50 --runs 3 --acct-runs 1 --pidstore idr,xarray,bitmap \
	--runs-csv "$tmp/runs.csv" --check "$trace" > "$tmp/out.csv"

# One row per backend, each with 3 plain runs and 1 accounted, one hash.
[ "$(tail -n +2 "$tmp/out.csv" | wc -l)" = 3 ] || fail "want 3 rows"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["runs"] != 3 || $col["acct_runs"] != 1 { exit 1 }' "$tmp/out.csv" ||
	fail "runs/acct_runs columns are not 3/1"
[ "$(tail -n +2 "$tmp/out.csv" | awk -F, '{ print $NF }' | sort -u | wc -l)" = 1 ] ||
	fail "backends answered differently"

# Rounds 0..2, every backend once each, round r starting with backend r.
want="0 idr xarray bitmap
1 xarray bitmap idr
2 bitmap idr xarray"
got=$(awk -F, 'NR > 1 { o[$1] = o[$1] " " $3 } END { for (r = 0; r < 3; r++) print r o[r] }' \
	"$tmp/runs.csv")
[ "$got" = "$want" ] || fail "rounds not rotated: got
$got"
echo "replay_rounds: ok"
