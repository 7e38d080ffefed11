package dev.zdm.engine.progressive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.StatementProgress;
import dev.zdm.progressive.ProgressiveActivities;
import dev.zdm.progressive.ProgressiveChange.IndexBuild;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.testing.BackendSampler;
import dev.zdm.testing.TestDatabase;
import dev.zdm.testing.WatchedActivities;
import io.temporal.failure.CanceledFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Index builds on the real PostgreSQL, as activities with a 2 s heartbeat timeout: they heartbeat,
 * stop their backend when cancelled, wait for a build of the same index still running, and drop
 * only an INVALID index nothing builds.
 */
class IndexBuildsTest {
  /** Three heartbeat timeouts: a step that did not heartbeat would have been timed out by then. */
  static final Duration HELD = WatchedActivities.HEARTBEAT_TIMEOUT.multipliedBy(3);
  static final Duration GONE_WITHIN = Duration.ofSeconds(5);

  private TestDatabase db;
  private final List<WatchedActivities<ProgressiveActivities, StatementProgress>> envs = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("index_builds");
    db.sql("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 20000) g",
        "CREATE TABLE other (id int)");
  }

  @AfterEach
  void tearDown() {
    envs.forEach(WatchedActivities::close);
    db.close();
  }

  private WatchedActivities<ProgressiveActivities, StatementProgress> activities() {
    var env = new WatchedActivities<>(ProgressiveActivities.class, new ProgressiveActivitiesImpl(db.target()),
        StatementProgress.class);
    envs.add(env);
    return env;
  }

  private ProgressiveRequest request(boolean unique) {
    return new ProgressiveRequest("m-index", new TableRef(db.schema(), "items"),
        new IndexBuild("items_name", "(name)", unique, null, null, null, null),
        null, MigrationOptions.defaults(), null);
  }

  private CompletableFuture<Void> build(WatchedActivities<ProgressiveActivities, StatementProgress> env, boolean unique) {
    return env.start(activities -> {
      activities.buildIndex(request(unique), "items_name", null);
      return null;
    });
  }

  /** A transaction with a snapshot older than any build started now: CONCURRENTLY waits for it. */
  private Connection oldTransaction() throws SQLException {
    return db.oldTransaction("other");
  }

  private long oid() {
    return db.queryLong("SELECT coalesce(to_regclass('{schema}.items_name')::oid, 0)");
  }

  private boolean valid() {
    return db.queryLong("SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('{schema}.items_name') AND indisvalid") == 1;
  }

  private long runningCreates() {
    return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query ILIKE 'CREATE %INDEX%'"
        + " AND position('" + db.schema() + "' IN query) > 0 AND pid <> pg_backend_pid()");
  }

  private long buildLocks() {
    return db.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        + " AND classid = hashtext('zdm index build')::oid"
        + " AND objid = hashtext('\"" + db.schema() + "\".\"items_name\"')::oid");
  }

  private static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit + " waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aValidIndexIsSuccessWithoutRebuilding() throws Exception {
    db.sql("CREATE INDEX items_name ON items (name)");
    long before = oid();
    try (BackendSampler sampler = new BackendSampler(db)) {
      build(activities(), false).get(30, TimeUnit.SECONDS);
      assertThat(sampler.maxConcurrentCreates()).isZero();
      assertThat(sampler.dropSightings()).isZero();
    }
    assertThat(oid()).as("the same index, not a rebuilt one").isEqualTo(before);
  }

  @Test
  void anInvalidIndexThatNothingBuildsIsDroppedAndRebuilt() throws Exception {
    db.sql("UPDATE items SET name = 'twin' WHERE id IN (1, 2)");
    assertThatThrownBy(() -> db.sql("CREATE UNIQUE INDEX CONCURRENTLY items_name ON items (name)"))
        .hasMessageContaining("duplicate");
    long invalid = oid();
    assertThat(invalid).isPositive();
    assertThat(valid()).isFalse();
    db.sql("UPDATE items SET name = 'n2' WHERE id = 2");

    build(activities(), true).get(30, TimeUnit.SECONDS);

    assertThat(oid()).as("a new index").isNotEqualTo(invalid).isPositive();
    assertThat(valid()).isTrue();
  }

  @Test
  void aBuildBehindAnOldTransactionHeartbeatsUntilItEnds() throws Exception {
    var env = activities();
    CompletableFuture<Void> build;
    try (BackendSampler sampler = new BackendSampler(db); Connection holder = oldTransaction()) {
      build = build(env, false);
      Thread.sleep(HELD.toMillis());
      assertThat(build).as("the build waits for the older transaction").isNotDone();
      holder.commit();
      build.get(30, TimeUnit.SECONDS);
      assertThat(sampler.maxConcurrentCreates()).isEqualTo(1);
      assertThat(sampler.dropSightings()).isZero();
    }
    assertThat(valid()).isTrue();
    // One heartbeat a third of the timeout, throttled by the SDK to about 0.8 of it.
    assertThat(env.heartbeats()).hasSizeGreaterThanOrEqualTo((int) (HELD.toMillis() / 1_600) - 1);
    assertThat(env.heartbeats()).allSatisfy(progress -> {
      assertThat(progress.migrationId()).isEqualTo("m-index");
      assertThat(progress.description()).contains("create index items_name");
      assertThat(progress.pid()).isPositive();
    });
    assertThat(env.heartbeats()).as("pg_stat_progress_create_index's phase")
        .anySatisfy(progress -> assertThat(progress.phase()).startsWith("waiting for"));
  }

  @Test
  void aRetryWaitsForTheBuildItsPredecessorLeftRunningInsteadOfDroppingIt() throws Exception {
    var env = activities();
    try (BackendSampler sampler = new BackendSampler(db); Connection holder = oldTransaction();
        Connection orphan = db.connection()) {
      // What a worker that died mid-build leaves: its backend still building, unknown to zdm.
      int orphanPid = orphan.unwrap(org.postgresql.PGConnection.class).getBackendPID();
      CompletableFuture<Void> orphanBuild = CompletableFuture.runAsync(() -> {
        try (Statement statement = orphan.createStatement()) {
          statement.execute("CREATE INDEX CONCURRENTLY items_name ON \"" + db.schema() + "\".items (name)");
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      await(() -> db.queryLong("SELECT count(*) FROM pg_stat_progress_create_index WHERE pid = " + orphanPid
          + " AND index_relid = to_regclass('{schema}.items_name')") == 1, Duration.ofSeconds(10), "the orphan build");
      assertThat(valid()).as("an index under construction is INVALID").isFalse();

      CompletableFuture<Void> retry = build(env, false);
      Thread.sleep(HELD.toMillis());
      assertThat(retry).as("the retry waits for the running build").isNotDone();
      holder.commit();
      retry.get(30, TimeUnit.SECONDS);
      orphanBuild.get(30, TimeUnit.SECONDS);

      assertThat(sampler.maxConcurrentCreates()).as("the orphan's build only").isEqualTo(1);
      assertThat(sampler.dropSightings()).as("nothing dropped the index being built").isZero();
      assertThat(env.heartbeats()).anySatisfy(progress -> {
        assertThat(progress.pid()).isEqualTo(orphanPid);
        assertThat(progress.description()).contains("waiting for the build of");
      });
    }
    assertThat(valid()).isTrue();
  }

  /**
   * CREATE INDEX CONCURRENTLY ends its progress row and its table lock before the transaction that
   * marks the index valid commits. An event trigger (ddl_command_end runs in that transaction)
   * holds a hand-run build there: the step must see it through the pg_index row's xmax and wait.
   */
  @Test
  void aBuildAboutToCommitIsWaitedForNotDropped() throws Exception {
    String trigger = db.schema() + "_hold";
    db.sql("CREATE FUNCTION hold_index_commit() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE schema_name = '" + db.schema() + "'"
            + " AND command_tag = 'CREATE INDEX') THEN PERFORM pg_sleep(" + HELD.toSeconds() + "); END IF; END $$",
        "CREATE EVENT TRIGGER " + trigger + " ON ddl_command_end WHEN TAG IN ('CREATE INDEX')"
            + " EXECUTE FUNCTION hold_index_commit()");
    var env = activities();
    try (BackendSampler sampler = new BackendSampler(db); Connection builder = db.connection()) {
      CompletableFuture<Void> handRun = CompletableFuture.runAsync(() -> {
        try (Statement statement = builder.createStatement()) {
          statement.execute("CREATE INDEX CONCURRENTLY items_name ON \"" + db.schema() + "\".items (name)");
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      await(() -> db.queryLong("SELECT count(*) FROM pg_index i JOIN pg_stat_activity a ON a.backend_xid = i.xmax"
          + " WHERE i.indexrelid = to_regclass('{schema}.items_name') AND NOT i.indisvalid"
          + " AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid)") == 1,
          Duration.ofSeconds(10), "the build's last transaction");
      long building = oid();

      CompletableFuture<Void> step = build(env, false);
      Thread.sleep(WatchedActivities.HEARTBEAT_TIMEOUT.toMillis());
      assertThat(step).as("the step waits for the build to commit").isNotDone();
      handRun.get(30, TimeUnit.SECONDS);
      step.get(30, TimeUnit.SECONDS);

      assertThat(sampler.dropSightings()).as("nothing dropped the index being built").isZero();
      assertThat(oid()).as("the hand-run build's index, kept").isEqualTo(building);
    } finally {
      db.sql("DROP EVENT TRIGGER IF EXISTS " + trigger);
    }
    assertThat(valid()).isTrue();
  }

  @Test
  void twoStepsBuildingOneIndexTakeTurnsAndTheSecondFindsItBuilt() throws Exception {
    try (BackendSampler sampler = new BackendSampler(db); Connection holder = oldTransaction()) {
      CompletableFuture<Void> first = build(activities(), false);
      await(() -> runningCreates() == 1, Duration.ofSeconds(10), "the first build");
      CompletableFuture<Void> second = build(activities(), false);
      Thread.sleep(HELD.toMillis());
      assertThat(first).isNotDone();
      assertThat(second).isNotDone();
      assertThat(buildLocks()).as("the first holds the build lock, the second polls for it").isEqualTo(1);
      holder.commit();
      // The waiter polls the lock in autocommit, so the holder's build does not wait for it.
      first.get(30, TimeUnit.SECONDS);
      second.get(30, TimeUnit.SECONDS);
      assertThat(sampler.maxConcurrentCreates()).isEqualTo(1);
      assertThat(sampler.dropSightings()).isZero();
    }
    assertThat(valid()).isTrue();
    assertThat(buildLocks()).as("both released the lock").isZero();
  }

  @Test
  void cancellingABuildCancelsItsBackendAndTheStepFailsAsCancelled() throws Exception {
    var env = activities();
    try (Connection holder = oldTransaction()) {
      CompletableFuture<Void> build = build(env, false);
      await(() -> runningCreates() == 1, Duration.ofSeconds(10), "the build");
      env.cancel();
      assertThatThrownBy(() -> build.get(GONE_WITHIN.toSeconds(), TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(CanceledFailure.class);
      // The old transaction still runs: the build is gone because it was cancelled, not done.
      await(() -> runningCreates() == 0, GONE_WITHIN, "the build's backend to go");
      assertThat(valid()).isFalse();
      holder.rollback();
    }
    // The next attempt finds the INVALID leftover, nothing building it, and builds again.
    long leftover = oid();
    build(activities(), false).get(30, TimeUnit.SECONDS);
    assertThat(oid()).isNotEqualTo(leftover);
    assertThat(valid()).isTrue();
  }
}
