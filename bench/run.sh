#!/usr/bin/env bash
# zdm's app-impact benchmark (not a test). For each scenario: load bench.accounts with ROWS rows,
# run pgbench at a fixed rate as "the application", then run the naive SQL; reload, and run zdm.
# Reports longest stall, p99, transactions over 1 s, failed transactions, data check, wall time.
#   ROWS=500000 RATE=200 CLIENTS=4 bench/run.sh [scenario...]
# Scenarios: create-index int-to-bigint indexed-int-to-bigint add-not-null rename lock-queue derived-column
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-500000}
RATE=${RATE:-200}
CLIENTS=${CLIENTS:-4}
# pgbench runs for a fixed window (it cannot be stopped cleanly from a script without losing its
# logs); the migration starts 3 s in and must end before the window does.
WINDOW=${WINDOW:-60}
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432/test}
JDBC=${JDBC:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
OUT=${OUT:-bench/out}
SCENARIOS=${*:-create-index int-to-bigint indexed-int-to-bigint add-not-null rename lock-queue derived-column}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)  # absolute, so OUT may be given either way

if [ ! -f "$OUT/classpath" ]; then
  mvn -q -o -pl workflows,activities test-compile dependency:build-classpath \
    -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test >/dev/null
  echo "$PWD/activities/target/test-classes:$PWD/activities/target/classes:$PWD/workflows/target/classes:$(cat "$OUT/cp.txt")" > "$OUT/classpath"
fi

load() { # scenario
  local extra=""
  # The type change of an indexed column: the index must survive the migration, valid.
  [ "$1" = indexed-int-to-bigint ] && extra="CREATE INDEX accounts_amount_idx ON bench.accounts (amount);"
  psql -q "$PGURL" <<SQL
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.accounts (id bigserial PRIMARY KEY, amount integer NOT NULL, note text);
INSERT INTO bench.accounts (amount, note) SELECT g % 1000, 'seed ' || g FROM generate_series(1, $ROWS) g;
$extra
VACUUM ANALYZE bench.accounts;
SQL
}

naive_sql() {
  case $1 in
    create-index) echo "CREATE INDEX accounts_note_idx ON bench.accounts (note);" ;;
    int-to-bigint|indexed-int-to-bigint) echo "ALTER TABLE bench.accounts ALTER COLUMN amount TYPE bigint;" ;;
    add-not-null) echo "ALTER TABLE bench.accounts ADD COLUMN tier text; UPDATE bench.accounts SET tier = CASE WHEN amount > 500 THEN 'gold' ELSE 'basic' END; ALTER TABLE bench.accounts ALTER COLUMN tier SET NOT NULL;" ;;
    rename) echo "ALTER TABLE bench.accounts RENAME COLUMN note TO remark;" ;;
    lock-queue) echo "ALTER TABLE bench.accounts ADD COLUMN tier text;" ;;
    derived-column) echo "ALTER TABLE bench.accounts ADD COLUMN tripled bigint; UPDATE bench.accounts SET tripled = amount::bigint * 3; ALTER TABLE bench.accounts ALTER COLUMN tripled SET NOT NULL;" ;;
  esac
}

# A long transaction already holding the table (lock-queue scenario only).
long_reader() {
  psql -q "$PGURL" -c "BEGIN; SELECT count(*) FROM bench.accounts WHERE id < 10; SELECT pg_sleep(15); COMMIT;" >/dev/null &
  sleep 1
}

measure() { # scenario side command...
  local scenario=$1 side=$2; shift 2
  local log="$OUT/$scenario-$side"
  rm -f "$log".pgbench*
  pgbench -n "$PGURL" -f bench/app.sql -D rows="$ROWS" -c "$CLIENTS" -j 2 -R "$RATE" -T "$WINDOW" \
    -l --log-prefix="$log.pgbench" > "$log.summary" 2>&1 &
  local bench=$!
  sleep 3
  [ "$scenario" = lock-queue ] && long_reader
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$log.migration" 2>&1 || echo "migration failed: $(tail -1 "$log.migration")" >> "$log.migration"
  t1=$(date +%s.%N)
  wait $bench 2>/dev/null || true
  if [ "$(echo "$t1 - $t0 + 3 > $WINDOW" | bc)" = 1 ]; then
    echo "WARNING: $scenario $side outlasted the ${WINDOW}s load window; raise WINDOW" >&2
  fi
  python3 bench/analyze.py "$scenario" "$side" "$(echo "$t1 - $t0" | bc)" "$log" "$PGURL" "$t0" "$t1"
}

for scenario in $SCENARIOS; do
  load "$scenario"
  measure "$scenario" naive psql -v ON_ERROR_STOP=1 "$PGURL" -c "$(naive_sql "$scenario")"
  load "$scenario"
  measure "$scenario" zdm java -cp "$(cat "$OUT/classpath")" dev.zdm.bench.BenchRun "$scenario" "$JDBC"
done
