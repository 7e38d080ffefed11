package dev.zdm.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LedgerTest {
  private TestDatabase db;

  @BeforeEach
  void createSchema() {
    db = TestDatabase.create("ledger");
  }

  @AfterEach
  void dropSchema() {
    db.close();
  }

  @Test
  void installIsIdempotentAndVersioned() throws SQLException {
    Ledger ledger = new Ledger(db.dataSource(), db.schema());
    assertThat(ledger.install()).isEqualTo(Ledger.CURRENT_VERSION);
    assertThat(ledger.install()).isEqualTo(Ledger.CURRENT_VERSION);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._zdm_ledger_version")).isEqualTo(1);
  }

  /** The guide's monitoring, rollback and troubleshooting queries, exactly as it prints them. */
  static final List<String> GUIDE_QUERIES =
      List.of(
          """
          SELECT * FROM _migration_deprecations
          WHERE removal_date < NOW() + INTERVAL '7 days'
          """,
          """
          SELECT * FROM _migration_progress
          WHERE status = 'running'
          """,
          """
          SELECT * FROM _migration_feature_flags
          WHERE enabled = true AND rollout_percentage < 100
          """,
          "SELECT * FROM v_zero_downtime_status",
          """
          SELECT
            m.migration_id,
            m.batches_completed,
            m.rows_affected,
            m.status,
            EXTRACT(EPOCH FROM (NOW() - m.started_at)) as duration_seconds,
            (m.rows_affected / NULLIF(
              EXTRACT(EPOCH FROM (NOW() - m.started_at)), 0
            ))::INT as rows_per_second
          FROM _migration_progress m
          WHERE m.status = 'running'
          """,
          """
          SELECT state FROM _migration_circuit_breakers
            WHERE breaker_name = 'migration_executor'
          """,
          "SELECT update_circuit_breaker('migration_executor', true)",
          """
          UPDATE _migration_circuit_breakers
          SET state = 'closed', failure_count = 0
          WHERE breaker_name = 'migration_executor'
          """,
          """
          DELETE FROM _migration_deprecations
          WHERE table_name = 'users' AND column_name = 'legacy_field'
          """,
          """
          UPDATE _migration_progress
          SET status = 'cancelled'
          WHERE migration_id = 'current_migration'
          """,
          """
          INSERT INTO _migration_feature_flags (flag_name, enabled, rollout_percentage)
          VALUES ('new_search_algorithm', true, 10)
          """,
          """
          UPDATE _migration_feature_flags
          SET rollout_percentage = 50
          WHERE flag_name = 'new_search_algorithm'
          """,
          "SELECT check_feature_flag('new_search_algorithm', 42)",
          "SELECT check_feature_flag('new_search_algorithm', 'user-42')",
          "SELECT check_feature_flag('new_search_algorithm', gen_random_uuid())");

  @Test
  void theGuidesQueriesRunUnchanged() throws SQLException {
    db.execute(
        """
        INSERT INTO {schema}._migration_deprecations (migration_id, table_name, column_name, removal_date)
        VALUES ('m1', 'users', 'legacy_field', now() + interval '1 day');
        INSERT INTO {schema}._migration_progress (migration_id, rows_affected) VALUES ('m2', 10);
        """);
    try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path TO \"" + db.schema() + "\"");
      for (String query : GUIDE_QUERIES) {
        statement.execute(query);
      }
      try (ResultSet rows = statement.executeQuery("SELECT kind FROM v_zero_downtime_status ORDER BY kind")) {
        List<String> kinds = new java.util.ArrayList<>();
        while (rows.next()) {
          kinds.add(rows.getString(1));
        }
        assertThat(kinds).contains("circuit_breaker", "feature_flag", "progress");
      }
    }
  }

  @Test
  void featureFlagBucketsAreStableAsThePercentageGrows() {
    db.execute(
        "INSERT INTO {schema}._migration_feature_flags (flag_name, enabled, rollout_percentage) VALUES ('f', true, 10)");
    String countIn = "SELECT count(*) FROM generate_series(1, 10000) AS id WHERE {schema}.check_feature_flag('f', id)";
    long atTen = db.queryLong(countIn);
    db.execute(
        """
        CREATE TABLE {schema}.in_at_ten AS
        SELECT id FROM generate_series(1, 10000) AS id WHERE {schema}.check_feature_flag('f', id)
        """);
    db.execute("UPDATE {schema}._migration_feature_flags SET rollout_percentage = 50 WHERE flag_name = 'f'");
    long atFifty = db.queryLong(countIn);
    long droppedOut =
        db.queryLong("SELECT count(*) FROM {schema}.in_at_ten WHERE NOT {schema}.check_feature_flag('f', id)");

    assertThat(atTen).isBetween(800L, 1200L);
    assertThat(atFifty).isBetween(4500L, 5500L);
    assertThat(droppedOut).isZero();
    db.execute("UPDATE {schema}._migration_feature_flags SET enabled = false WHERE flag_name = 'f'");
    assertThat(db.queryLong(countIn)).isZero();
    assertThat(db.queryString("SELECT {schema}.check_feature_flag('unknown', 1)::text")).isEqualTo("false");
  }

  @Test
  void breakerOpensAtItsThresholdAndOnlyAResetClosesIt() throws SQLException {
    Ledger ledger = new Ledger(db.dataSource(), db.schema());
    CircuitBreaker breaker = new CircuitBreaker(ledger, "migration_executor");
    try (Connection connection = db.connection()) {
      for (int i = 1; i < 5; i++) {
        assertThat(breaker.record(connection, false, "boom " + i)).isEqualTo("closed");
      }
      assertThat(breaker.record(connection, false, "boom 5")).isEqualTo("open");
      assertThat(breaker.record(connection, true, null)).isEqualTo("open");
      assertThat(breaker.state(connection).lastError()).isEqualTo("boom 5");
      assertThat(breaker.reset(connection).isOpen()).isFalse();
      assertThat(breaker.state(connection).failureCount()).isZero();
    }
  }
}
