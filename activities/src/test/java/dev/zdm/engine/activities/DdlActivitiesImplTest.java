package dev.zdm.engine.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.DdlActivities;
import dev.zdm.activities.DdlStatement;
import dev.zdm.activities.ZdmFailures;
import dev.zdm.postgres.StatementProgress;
import dev.zdm.testing.TestDatabase;
import dev.zdm.testing.WatchedActivities;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DdlActivitiesImplTest {
  private TestDatabase db;
  private DdlActivitiesImpl ddl;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("ddl");
    db.execute("CREATE TABLE {schema}.items (id bigint PRIMARY KEY, name text, legacy text)");
    db.execute("INSERT INTO {schema}.items SELECT n, 'n' || n, 'l' || n FROM generate_series(1, 100) n");
    ddl = new DdlActivitiesImpl(db.target());
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private DdlStatement statement(String sql, boolean transactional) {
    return new DdlStatement("m-test", "test statement", sql.replace("{schema}", "\"" + db.schema() + "\""),
        transactional, Duration.ofMillis(100), Duration.ofSeconds(10));
  }

  @Test
  void aHeldLockMakesARetryableLockTimeoutWithABackoffDelay() throws Exception {
    try (Connection holder = db.connection(); Statement hold = holder.createStatement()) {
      holder.setAutoCommit(false);
      hold.execute("LOCK TABLE \"" + db.schema() + "\".items IN ACCESS SHARE MODE");

      assertThatThrownBy(() -> ddl.runDdl(statement("ALTER TABLE {schema}.items DROP COLUMN legacy", true)))
          .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
            assertThat(failure.getType()).isEqualTo(ZdmFailures.LOCK_TIMEOUT);
            assertThat(failure.isNonRetryable()).isFalse();
            assertThat(failure.getNextRetryDelay()).isPositive();
            assertThat(failure.getOriginalMessage()).contains("m-test").contains("lock_timeout 100 ms");
          });
      holder.rollback();
    }
    assertThat(db.queryLong("SELECT failure_count FROM {schema}._migration_circuit_breakers"))
        .as("lock timeouts are contention, not faults").isZero();
    ddl.runDdl(statement("ALTER TABLE {schema}.items DROP COLUMN legacy", true));
    assertThat(db.queryLong(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + db.schema() + "' AND column_name = 'legacy'"))
        .isZero();
  }

  @Test
  void syntaxErrorsAndMissingObjectsAreRefusedWithoutRetryAndCountOnTheBreaker() {
    assertThatThrownBy(() -> ddl.runDdl(statement("ALTER TABLE {schema}.items DROP COLUMNN legacy", true)))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.SQL_REFUSED);
          assertThat(failure.isNonRetryable()).isTrue();
          assertThat(failure.getOriginalMessage()).contains("42601");
        });
    assertThatThrownBy(() -> ddl.runDdl(statement("ALTER TABLE {schema}.nothing DROP COLUMN legacy", true)))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.SQL_REFUSED);
          assertThat(failure.getOriginalMessage()).contains("does not exist");
        });
    assertThat(db.queryLong("SELECT failure_count FROM {schema}._migration_circuit_breakers")).isEqualTo(2);
  }

  @Test
  void concurrentlyNeverRunsInATransactionEvenWhenThePlanSaysSo() {
    ddl.runDdl(statement("CREATE INDEX CONCURRENTLY items_name ON {schema}.items (name)", true));
    assertThat(db.queryLong(
        "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + db.schema() + "' AND indexname = 'items_name'"))
        .isEqualTo(1);
  }

  @Test
  void aConcurrentBuildWaitsOutAnOlderTransactionInsteadOfTimingOut() throws Exception {
    db.execute("CREATE TABLE {schema}.other (id int)");
    try (Connection holder = db.connection(); Statement hold = holder.createStatement()) {
      holder.setAutoCommit(false);
      hold.execute("SELECT count(*) FROM \"" + db.schema() + "\".other");
      var build = java.util.concurrent.CompletableFuture.runAsync(
          () -> ddl.runDdl(statement("CREATE INDEX CONCURRENTLY items_waits ON {schema}.items (name)", false)));
      Thread.sleep(500);  // several times the 100 ms lock_timeout
      assertThat(build).as("the build waits for the older transaction").isNotDone();
      holder.commit();
      build.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(db.queryLong("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        + "WHERE c.relname = 'items_waits' AND i.indisvalid")).isEqualTo(1);
  }

  @Test
  void sessionTimeoutsDoNotLeakIntoThePooledConnection() throws Exception {
    ddl.runDdl(statement("CREATE INDEX CONCURRENTLY items_legacy ON {schema}.items (legacy)", false));
    try (Connection connection = db.target().dataSource().getConnection();
        Statement statement = connection.createStatement();
        var row = statement.executeQuery("SELECT current_setting('lock_timeout')")) {
      row.next();
      assertThat(row.getString(1)).isEqualTo("0");
    }
  }

  @Test
  void anOpenBreakerStopsEveryStatementUntilReset() {
    db.execute("UPDATE {schema}._migration_circuit_breakers SET state = 'open'");
    assertThatThrownBy(() -> ddl.runDdl(statement("SELECT 1", true)))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.BREAKER_OPEN);
          assertThat(failure.isNonRetryable()).isTrue();
        });
    assertThat(ddl.breakerClosed("m-test")).isFalse();
    db.execute("UPDATE {schema}._migration_circuit_breakers SET state = 'closed', failure_count = 0");
    assertThat(ddl.breakerClosed("m-test")).isTrue();
    ddl.runDdl(statement("SELECT 1", true));
  }

  @Test
  void aCancelledLongStatementCancelsItsBackendAndFailsAsCancelled() throws Exception {
    db.execute("CREATE TABLE {schema}.other (id int)");
    try (var env = new WatchedActivities<>(DdlActivities.class, ddl, StatementProgress.class);
        Connection holder = db.connection(); Statement hold = holder.createStatement()) {
      holder.setAutoCommit(false);
      holder.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      hold.execute("SELECT count(*) FROM \"" + db.schema() + "\".other");
      var run = env.start(activities ->
          activities.runDdl(statement("CREATE INDEX CONCURRENTLY items_held ON {schema}.items (name)", false)));
      int holderPid = holder.unwrap(org.postgresql.PGConnection.class).getBackendPID();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (env.heartbeats().stream().noneMatch(p -> p.blockedBy().contains(holderPid))
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(env.heartbeats()).as("a heartbeat names the older transaction's backend")
          .anySatisfy(progress -> {
            assertThat(progress.description()).isEqualTo("test statement");
            assertThat(progress.phase()).as("pg_stat_progress_create_index's phase").startsWith("waiting for");
            assertThat(progress.blockedBy()).contains(holderPid);
          });

      env.cancel();
      assertThatThrownBy(() -> run.get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(CanceledFailure.class);
      long gone = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (runningCreates() > 0 && System.nanoTime() < gone) {
        Thread.sleep(20);
      }
      assertThat(runningCreates()).as("the backend's build was cancelled").isZero();
      holder.rollback();
    }
    assertThat(db.queryLong("SELECT failure_count FROM {schema}._migration_circuit_breakers"))
        .as("a cancellation is no fault").isZero();
  }

  private long runningCreates() {
    return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query ILIKE 'CREATE INDEX%'"
        + " AND position('" + db.schema() + "' IN query) > 0");
  }
}
