#!/bin/sh
# Creates or upgrades Temporal's two databases (history and visibility) on temporal-postgresql.
# Run by the temporal-schema service from temporalio/admin-tools before the server starts; every
# step is safe to repeat, so `docker compose up` after an image upgrade migrates the schema.
set -eu

schema_dir=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --endpoint "$POSTGRES_SEEDS" --port "${DB_PORT:-5432}" \
    --user "$POSTGRES_USER" --password "$POSTGRES_PWD" "$@"
}

for database in temporal temporal_visibility; do
  if [ "$database" = temporal ]; then versions="$schema_dir/temporal/versioned"; else versions="$schema_dir/visibility/versioned"; fi
  echo "schema: database $database"
  sql_tool --database "$database" create 2>/dev/null || echo "schema: $database exists"
  # setup-schema -v 0.0 only creates the version table when it is missing.
  sql_tool --database "$database" setup-schema -v 0.0
  sql_tool --database "$database" update-schema -d "$versions"
done
echo "schema: done"
