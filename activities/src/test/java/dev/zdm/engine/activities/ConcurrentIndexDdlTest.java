package dev.zdm.engine.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.postgres.StatementContext;
import dev.zdm.testing.BackendSampler;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A direct step's CREATE INDEX CONCURRENTLY on the real PostgreSQL, as the DDL activity runs it on
 * a given attempt: a retry waits for a build still running (its predecessor's, or one zdm does
 * not know) instead of dropping the index under construction, one build of an index runs at a
 * time, and a first attempt leaves an index that was already there alone.
 */
class ConcurrentIndexDdlTest {
  private static final String BUILD = "CREATE INDEX CONCURRENTLY items_name ON {schema}.items (name)";
  /** Long enough that a retry that did not wait would have dropped or rebuilt the index. */
  private static final Duration HELD = Duration.ofSeconds(3);

  private TestDatabase db;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("direct_index");
    db.execute("CREATE TABLE {schema}.items (id bigint PRIMARY KEY, name text)");
    db.execute("INSERT INTO {schema}.items SELECT n, 'n' || (n % 10) FROM generate_series(1, 20000) n");
    db.execute("CREATE TABLE {schema}.other (id bigint)");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private String sql(String statement) {
    return statement.replace("{schema}", "\"" + db.schema() + "\"");
  }

  /** Runs the statement as the DDL activity runs one outside a transaction, on {@code attempt}. */
  private void run(String statement, int attempt) {
    StatementContext context = new StatementContext("m-direct-index", "step 1: index", false,
        Duration.ofMillis(200), Duration.ZERO, attempt);
    ConcurrentIndexDdl ddl = ConcurrentIndexDdl.of(context, sql(statement)).orElseThrow();
    db.target().runner().runWatched(context, ddl::run);
  }

  private CompletableFuture<Void> runAsync(String statement, int attempt) {
    return CompletableFuture.runAsync(() -> run(statement, attempt));
  }

  /** A transaction with a snapshot older than any build started now: CONCURRENTLY waits for it. */
  private Connection oldTransaction() throws SQLException {
    return db.oldTransaction("other");
  }

  private long oid() {
    return db.queryLong("SELECT coalesce(to_regclass('{schema}.items_name')::oid, 0)");
  }

  private boolean valid() {
    return db.queryLong("SELECT count(*) FROM pg_index WHERE indisvalid"
        + " AND indexrelid = to_regclass('{schema}.items_name')") == 1;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aRetryWaitsForTheBuildAnEarlierAttemptLeftRunningAndKeepsIt() throws Exception {
    try (BackendSampler sampler = new BackendSampler(db); Connection holder = oldTransaction();
        Connection orphan = db.connection()) {
      // What a worker that died mid-build leaves: its backend still building.
      CompletableFuture<Void> orphanBuild = CompletableFuture.runAsync(() -> {
        try (Statement statement = orphan.createStatement()) {
          statement.execute(sql(BUILD));
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      await(() -> db.queryLong("SELECT count(*) FROM pg_stat_progress_create_index"
          + " WHERE index_relid = to_regclass('{schema}.items_name')") == 1, "the orphan build");
      long building = oid();

      CompletableFuture<Void> retry = runAsync(BUILD, 2);
      Thread.sleep(HELD.toMillis());
      assertThat(retry).as("the retry waits for the running build").isNotDone();
      assertThat(oid()).as("the index under construction is not dropped").isEqualTo(building);
      holder.commit();
      retry.get(30, TimeUnit.SECONDS);
      orphanBuild.get(30, TimeUnit.SECONDS);

      assertThat(sampler.maxConcurrentCreates()).as("the orphan's build only").isEqualTo(1);
      assertThat(sampler.dropSightings()).isZero();
      assertThat(oid()).as("the orphan's index is the one kept").isEqualTo(building);
    }
    assertThat(valid()).isTrue();
  }

  @Test
  void twoAttemptsBuildOneAtATimeAndTheSecondFindsTheIndexBuilt() throws Exception {
    try (BackendSampler sampler = new BackendSampler(db); Connection holder = oldTransaction()) {
      CompletableFuture<Void> first = runAsync(BUILD, 1);
      await(() -> oid() != 0, "the first attempt's build");
      long building = oid();
      CompletableFuture<Void> second = runAsync(BUILD, 2);
      Thread.sleep(HELD.toMillis());
      assertThat(second).as("the second waits for the first's build lock").isNotDone();
      holder.commit();
      first.get(30, TimeUnit.SECONDS);
      second.get(30, TimeUnit.SECONDS);

      assertThat(sampler.maxConcurrentCreates()).isEqualTo(1);
      assertThat(sampler.dropSightings()).isZero();
      assertThat(oid()).isEqualTo(building);
    }
    assertThat(valid()).isTrue();
  }

  @Test
  void aRetryMeetingAFailedBuildDropsItAndBuildsAgain() {
    // A unique build over duplicate names fails and leaves an INVALID index behind.
    String unique = "CREATE UNIQUE INDEX CONCURRENTLY items_name ON {schema}.items (name)";
    assertThatThrownBy(() -> run(unique, 1)).isInstanceOf(ApplicationFailure.class);
    assertThat(oid()).as("the failed build's INVALID index").isNotZero();
    assertThatThrownBy(() -> run(unique, 2))
        .as("rebuilt, and it fails for the same reason as the first time")
        .isInstanceOfSatisfying(ApplicationFailure.class,
            failure -> assertThat(failure.getOriginalMessage()).contains("23505"));
    db.execute("UPDATE {schema}.items SET name = name || '-' || id");
    run(unique, 3);
    assertThat(valid()).isTrue();
  }

  @Test
  void anIndexThatWasNotAnEarlierAttemptsIsLeftAloneAndTheErrorStands() {
    db.execute("CREATE INDEX items_name ON {schema}.items (id)");
    long before = oid();
    assertThatThrownBy(() -> run(BUILD, 1))
        .isInstanceOfSatisfying(ApplicationFailure.class,
            failure -> assertThat(failure.getOriginalMessage()).contains("42P07"));
    assertThat(oid()).as("the index that was there is kept").isEqualTo(before);
    db.execute("DROP INDEX {schema}.items_name");
    db.execute("CREATE INDEX items_name ON {schema}.other (id)");
    assertThatThrownBy(() -> run(BUILD, 2)).as("the name is taken by an index on another table")
        .isInstanceOf(ApplicationFailure.class);
    assertThat(db.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = to_regclass('{schema}.other')"))
        .isEqualTo(1);
  }

  @Test
  void aDropWaitsForTheBuildLockAndIsRepeatable() throws Exception {
    run(BUILD, 1);
    run("DROP INDEX CONCURRENTLY {schema}.items_name", 1);
    run("DROP INDEX CONCURRENTLY {schema}.items_name", 2);
    assertThat(oid()).isZero();
    assertThatThrownBy(() -> run("DROP INDEX CONCURRENTLY {schema}.items_name", 1))
        .as("on a first attempt a missing index stays an error")
        .isInstanceOf(ApplicationFailure.class);
  }
}
