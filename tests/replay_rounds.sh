#!/usr/bin/env bash
# procsim-replay's rounds (docs/replay.md): every round replays on every
# backend once, the backends' order rotated round by round; on each
# backend a plain pass over the traces and, in the first --acct-runs
# rounds, an accounted pass (first in odd rounds); --runs-csv lists every
# run in order; the answers agree (--check).  --min-ms: a run repeats a
# short trace until it lasts that long, and every figure is per replay;
# --no-warmup skips the warm-up's replays.
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
# --min-ms 20: the 50-process trace replays in well under a millisecond,
# so a run repeats it; per replay, the same calls and answers as without.
"$replay" --populate 50 --runs 2 --acct-runs 1 --min-ms 20 --pidstore idr \
	--check "$tmp/A" > "$tmp/min.csv"
col() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
	$2 == "idr" { print $k[c]; exit }' "$1"; }
reps=$(col "$tmp/min.csv" reps)
((reps > 1)) || fail "--min-ms 20: want several replays per run, got reps=$reps"
[ "$(col "$tmp/out.csv" reps)" = 1 ] || fail "without --min-ms: want reps=1"
[ "$(col "$tmp/min.csv" pid_calls)" = "$(col "$tmp/out.csv" pid_calls)" ] ||
	fail "--min-ms: pid_calls not per replay"
[ "$(col "$tmp/min.csv" hash)" = "$(col "$tmp/out.csv" hash)" ] ||
	fail "--min-ms: answers differ"
awk -v ms="$(col "$tmp/min.csv" replay_ms)" -v r="$reps" \
	'BEGIN { exit !(ms * r >= 20 * 0.5 && ms < 20) }' ||
	fail "--min-ms: replay_ms is not per replay of a run of >= 20 ms"
# --no-warmup: no warm-up replays, so --min-ms has nothing to time.
"$replay" --populate 50 --runs 2 --acct-runs 1 --min-ms 20 --no-warmup \
	--pidstore idr --check "$tmp/A" > "$tmp/nowarm.csv"
[ "$(col "$tmp/nowarm.csv" reps)" = 1 ] || fail "--no-warmup: a warm-up ran"
echo "replay_rounds: ok"
