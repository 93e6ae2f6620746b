#!/usr/bin/env bash
# Run every benchmark in benchmarks/ and print one table: figure, value, floor, ratio, goal, met.
#
#   scripts/bench.sh [--quick] [name ...]     # e.g. scripts/bench.sh --quick feed list_pages
#
# Each script prints its results as lines `BENCH|figure|value|floor|ratio|goal|met` (benchmarks/README.md);
# everything else it prints goes to a log kept under $BENCH_LOG_DIR (a temporary directory by default).
# The registration race needs PostgreSQL and Redis: RACE_DATABASE_URL (or DATABASE_URL, else
# postgres://postgres@127.0.0.1:5432/postgres) and CELERY_BROKER_URL (or REDIS_URL); without a broker it
# is reported as skipped. The others use a temporary SQLite file unless DATABASE_URL is set.
# BENCH_DATABASE_NAME names the throw-away PostgreSQL database (dropped and created again).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if [[ "${1:-}" == "--quick" ]]; then
  export BENCH_QUICK=1
  shift
fi
ALL=(feed list_pages events_list reports tables certificates finalise seed_demo referrals servicemap registration_lock registration_race)
NAMES=("$@")
[[ ${#NAMES[@]} -eq 0 ]] && NAMES=("${ALL[@]}")
LOGS=${BENCH_LOG_DIR:-$(mktemp -d -t crossroads-bench-XXXXXX)}
mkdir -p "$LOGS"
ROWS="$LOGS/rows"
: >"$ROWS"
started=$(date +%s)

for name in "${NAMES[@]}"; do
  script="benchmarks/$name.py"
  log="$LOGS/$name.log"
  if [[ ! -f "$script" ]]; then
    echo "$name|(no such script)|-|-|-|-|NO" >>"$ROWS"
    continue
  fi
  echo "running $script …" >&2
  t0=$(date +%s)
  if [[ "$name" == "registration_race" ]]; then
    broker=${CELERY_BROKER_URL:-${REDIS_URL:-}}
    if [[ -z "$broker" ]]; then
      echo "$name|skipped: set CELERY_BROKER_URL=redis://… (a real broker and worker)|-|-|-|-|skipped" >>"$ROWS"
      continue
    fi
    DATABASE_URL=${RACE_DATABASE_URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}} \
      CELERY_BROKER_URL="$broker" timeout "${BENCH_TIMEOUT:-1800}" "$PY" "$script" >"$log" 2>&1
  else
    timeout "${BENCH_TIMEOUT:-1800}" "$PY" "$script" >"$log" 2>&1
  fi
  rc=$?
  lines=$(grep -c '^BENCH|' "$log")
  grep '^BENCH|' "$log" | sed "s/^BENCH|/$name|/" >>"$ROWS"
  if [[ "$lines" -eq 0 ]]; then
    echo "$name|(no BENCH line: see $log)|-|-|-|-|NO" >>"$ROWS"
  fi
  if [[ "$rc" -ne 0 ]]; then
    echo "$name|exited with $rc (see $log)|-|-|-|-|NO" >>"$ROWS"
  fi
  echo "  $name: $lines figures in $(($(date +%s) - t0)) s" >&2
done

"$PY" - "$ROWS" <<'PY'
import sys

rows = [line.rstrip("\n").split("|") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
header = ["script", "figure", "value", "floor", "ratio", "goal", "met"]
rows = [r + ["?"] * (7 - len(r)) if len(r) < 7 else r[:6] + ["|".join(r[6:])] for r in rows]
widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]
line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    print(line(row))
missed = [r for r in rows if r[6] not in ("yes", "n/a")]
print(f"\n{len(rows)} figures, {len(rows) - len(missed)} met or reported, {len(missed)} not met or not run.")
PY
echo "logs: $LOGS ($(($(date +%s) - started)) s)"
