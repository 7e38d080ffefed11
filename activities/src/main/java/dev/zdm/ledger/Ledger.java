package dev.zdm.ledger;

import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * zdm's bookkeeping in the target database, under the guide's table, column and function names so
 * its monitoring, rollback and troubleshooting queries run unchanged. Installed idempotently under
 * an advisory lock, so several workers starting at once install it once.
 */
public final class Ledger {
  /** Raise with every change to {@link #INSTALL_SQL}; installed versions are recorded. */
  public static final int CURRENT_VERSION = 3;

  private static final Logger log = LoggerFactory.getLogger(Ledger.class);
  private static final String LOCK_KEY = "zdm-ledger-install";

  private static final String INSTALL_SQL =
      """
      CREATE SCHEMA IF NOT EXISTS {schema};

      CREATE TABLE IF NOT EXISTS {schema}._zdm_ledger_version (
        version      integer PRIMARY KEY,
        installed_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE IF NOT EXISTS {schema}._migration_deprecations (
        id            bigserial PRIMARY KEY,
        migration_id  text,
        table_schema  text NOT NULL DEFAULT 'public',
        table_name    text NOT NULL,
        column_name   text,
        reason        text,
        deprecated_at timestamptz NOT NULL DEFAULT now(),
        removal_date  timestamptz NOT NULL,
        status        text NOT NULL DEFAULT 'deprecated'
                      CHECK (status IN ('deprecated', 'removed')),
        archive_table text,
        removed_at    timestamptz,
        previous_comment text
      );
      CREATE UNIQUE INDEX IF NOT EXISTS _migration_deprecations_migration_column
        ON {schema}._migration_deprecations (migration_id, table_schema, table_name, column_name);

      CREATE TABLE IF NOT EXISTS {schema}._migration_progress (
        migration_id      text NOT NULL,
        step              text NOT NULL DEFAULT 'main',
        table_name        text,
        status            text NOT NULL DEFAULT 'running'
                          CHECK (status IN ('running', 'paused', 'completed', 'failed', 'cancelled')),
        batches_completed bigint NOT NULL DEFAULT 0,
        rows_affected     bigint NOT NULL DEFAULT 0,
        rows_total        bigint,
        last_key          text,
        batch_size        integer,
        started_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        completed_at      timestamptz,
        error             text,
        PRIMARY KEY (migration_id, step)
      );
      -- Version 2: the backfill engine's cursor bookkeeping. rows_affected keeps the guide's
      -- meaning (rows changed); rows_scanned is how far the cursor has come through rows_total.
      ALTER TABLE {schema}._migration_progress ADD COLUMN IF NOT EXISTS rows_scanned bigint NOT NULL DEFAULT 0;
      ALTER TABLE {schema}._migration_progress ADD COLUMN IF NOT EXISTS stop_key text;
      ALTER TABLE {schema}._migration_progress ADD COLUMN IF NOT EXISTS stop_percentage integer;
      ALTER TABLE {schema}._migration_progress ADD COLUMN IF NOT EXISTS throttled_because text;

      -- Live control of a running backfill: written by the workflow on pause/resume/throttle,
      -- read by the engine before every batch. An operator may also UPDATE it by hand.
      CREATE TABLE IF NOT EXISTS {schema}._migration_control (
        migration_id text PRIMARY KEY,
        paused       boolean NOT NULL DEFAULT false,
        batch_size   integer CHECK (batch_size > 0),
        delay_ms     integer CHECK (delay_ms >= 0),
        updated_at   timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE IF NOT EXISTS {schema}._migration_feature_flags (
        flag_name          text PRIMARY KEY,
        enabled            boolean NOT NULL DEFAULT false,
        rollout_percentage integer NOT NULL DEFAULT 0
                           CHECK (rollout_percentage BETWEEN 0 AND 100),
        migration_id       text,
        description        text,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      );

      -- Version 3: every change a flag rollout makes, written with the flag row in one
      -- transaction. (workflow_id, change_seq) is unique, so a retried change writes one row;
      -- change 0 is the rollout's start and holds what the flag was before it (from_* NULL: no row).
      CREATE TABLE IF NOT EXISTS {schema}._migration_flag_changes (
        id              bigserial PRIMARY KEY,
        flag_name       text NOT NULL,
        migration_id    text,
        workflow_id     text NOT NULL,
        change_seq      integer NOT NULL,
        from_enabled    boolean,
        from_percentage integer,
        to_enabled      boolean NOT NULL,
        to_percentage   integer NOT NULL CHECK (to_percentage BETWEEN 0 AND 100),
        changed_by      text NOT NULL,
        reason          text,
        changed_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workflow_id, change_seq)
      );

      -- Version 3 too: a table's description when a migration step began and the last fidelity check against it
      -- (docs/decisions/0500): description is dev.zdm.catalog.TableDescription as JSON.
      CREATE TABLE IF NOT EXISTS {schema}._migration_table_snapshots (
        migration_id  text NOT NULL,
        step          text NOT NULL,
        table_schema  text NOT NULL,
        table_name    text NOT NULL,
        taken_at      timestamptz NOT NULL DEFAULT now(),
        description   jsonb NOT NULL,
        checked_at    timestamptz,
        check_passed  boolean,
        differences   text,
        PRIMARY KEY (migration_id, step, table_schema, table_name)
      );

      -- Version 3 too: one migration per table (issue 9). A row per table a running migration
      -- touches, taken before its first step and deleted when it ends; rows outlive a crashed
      -- worker, and an operator deletes those of a migration that no longer runs (docs/runbooks.md).
      CREATE TABLE IF NOT EXISTS {schema}._migration_table_claims (
        table_schema text NOT NULL,
        table_name   text NOT NULL,
        migration_id text NOT NULL,
        claimed_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (table_schema, table_name)
      );
      CREATE INDEX IF NOT EXISTS _migration_table_claims_migration
        ON {schema}._migration_table_claims (migration_id);

      CREATE TABLE IF NOT EXISTS {schema}._migration_circuit_breakers (
        breaker_name      text PRIMARY KEY,
        state             text NOT NULL DEFAULT 'closed'
                          CHECK (state IN ('closed', 'open', 'half_open')),
        failure_count     integer NOT NULL DEFAULT 0,
        failure_threshold integer NOT NULL DEFAULT 5 CHECK (failure_threshold > 0),
        last_failure_at   timestamptz,
        last_error        text,
        opened_at         timestamptz,
        updated_at        timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO {schema}._migration_circuit_breakers (breaker_name)
        VALUES ('migration_executor') ON CONFLICT (breaker_name) DO NOTHING;

      -- Returns the breaker's state after the update; it opens at failure_threshold failures in a
      -- row and only a reset (UPDATE ... SET state = 'closed') closes it again.
      CREATE OR REPLACE FUNCTION {schema}.update_circuit_breaker(p_breaker_name text, p_success boolean)
      RETURNS text LANGUAGE plpgsql AS $fn$
      DECLARE
        v_state text;
      BEGIN
        INSERT INTO {schema}._migration_circuit_breakers (breaker_name)
          VALUES (p_breaker_name) ON CONFLICT (breaker_name) DO NOTHING;
        IF p_success THEN
          UPDATE {schema}._migration_circuit_breakers
             SET failure_count = CASE WHEN state = 'open' THEN failure_count ELSE 0 END,
                 state = CASE WHEN state = 'half_open' THEN 'closed' ELSE state END,
                 updated_at = now()
           WHERE breaker_name = p_breaker_name
          RETURNING state INTO v_state;
        ELSE
          UPDATE {schema}._migration_circuit_breakers
             SET failure_count = failure_count + 1,
                 last_failure_at = now(),
                 opened_at = CASE WHEN state <> 'open' AND failure_count + 1 >= failure_threshold
                                  THEN now() ELSE opened_at END,
                 state = CASE WHEN failure_count + 1 >= failure_threshold THEN 'open' ELSE state END,
                 updated_at = now()
           WHERE breaker_name = p_breaker_name
          RETURNING state INTO v_state;
        END IF;
        RETURN v_state;
      END;
      $fn$;

      -- Stable bucketing: the bucket depends on flag and id only, so an id that is in at 10 %
      -- stays in at 50 %. The text form takes quoted literals; the polymorphic one integer, bigint
      -- and uuid ids, bucketed by their text so every type of the same id lands alike.
      CREATE OR REPLACE FUNCTION {schema}.check_feature_flag(p_flag_name text, p_id text)
      RETURNS boolean LANGUAGE sql STABLE AS $fn$
        SELECT COALESCE(
          (SELECT f.enabled
                  AND (f.rollout_percentage >= 100
                       OR ((hashtextextended(f.flag_name || ':' || p_id, 0) % 100) + 100) % 100
                          < f.rollout_percentage)
             FROM {schema}._migration_feature_flags f
            WHERE f.flag_name = p_flag_name),
          false)
      $fn$;

      CREATE OR REPLACE FUNCTION {schema}.check_feature_flag(p_flag_name text, p_id anyelement)
      RETURNS boolean LANGUAGE sql STABLE AS $fn$
        SELECT {schema}.check_feature_flag(p_flag_name, p_id::text)
      $fn$;

      CREATE OR REPLACE VIEW {schema}.v_zero_downtime_status AS
        SELECT 'deprecation'::text AS kind,
               d.migration_id,
               d.table_schema || '.' || d.table_name || COALESCE('.' || d.column_name, '') AS object,
               d.status,
               d.deprecated_at AS started_at,
               d.removal_date AS due_at,
               NULL::bigint AS rows_affected,
               NULL::bigint AS rows_total
          FROM {schema}._migration_deprecations d
        UNION ALL
        SELECT 'progress', p.migration_id, COALESCE(p.table_name, '') || ':' || p.step, p.status,
               p.started_at, NULL, p.rows_affected, p.rows_total
          FROM {schema}._migration_progress p
        UNION ALL
        SELECT 'feature_flag', f.migration_id, f.flag_name,
               CASE WHEN f.enabled THEN 'enabled ' || f.rollout_percentage || '%' ELSE 'disabled' END,
               f.created_at, NULL, NULL, NULL
          FROM {schema}._migration_feature_flags f
        UNION ALL
        SELECT 'circuit_breaker', NULL, b.breaker_name, b.state, b.opened_at, NULL,
               b.failure_count, NULL
          FROM {schema}._migration_circuit_breakers b;
      """;

  private final DataSource dataSource;
  private final String schema;

  public Ledger(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.schema = schema;
  }

  /** Installs or upgrades the ledger; returns the version found before (0 when new). */
  public int install() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET LOCAL lock_timeout = '5s'");
        statement.execute("SELECT pg_advisory_xact_lock(hashtext('" + LOCK_KEY + "'))");
        int installed = installedVersion(statement);
        if (installed >= CURRENT_VERSION) {
          connection.rollback();
          return installed;
        }
        statement.execute(INSTALL_SQL.replace("{schema}", Identifiers.quote(schema)));
        statement.execute(
            "INSERT INTO "
                + Identifiers.quote(schema)
                + "._zdm_ledger_version (version) VALUES ("
                + CURRENT_VERSION
                + ") ON CONFLICT DO NOTHING");
        connection.commit();
        log.info("zdm ledger installed in schema {} (version {} -> {})", schema, installed, CURRENT_VERSION);
        return installed;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private int installedVersion(Statement statement) throws SQLException {
    try (ResultSet exists =
        statement.executeQuery(
            "SELECT to_regclass(" + Identifiers.literal(Identifiers.quote(schema) + "._zdm_ledger_version") + ") IS NOT NULL")) {
      exists.next();
      if (!exists.getBoolean(1)) {
        return 0;
      }
    }
    try (ResultSet version =
        statement.executeQuery(
            "SELECT COALESCE(max(version), 0) FROM " + Identifiers.quote(schema) + "._zdm_ledger_version")) {
      version.next();
      return version.getInt(1);
    }
  }

  public String schema() {
    return schema;
  }

  /** {@code "schema"."name"} of a ledger object, for the code that reads and writes it. */
  public String qualified(String ledgerObject) {
    return Identifiers.quote(schema) + "." + Identifiers.quote(ledgerObject);
  }
}
