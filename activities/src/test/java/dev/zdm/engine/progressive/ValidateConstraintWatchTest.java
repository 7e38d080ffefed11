package dev.zdm.engine.progressive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.StatementProgress;
import dev.zdm.progressive.ProgressiveActivities;
import dev.zdm.progressive.ProgressiveChange.ValidatedConstraint;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.testing.TestDatabase;
import dev.zdm.testing.WatchedActivities;
import io.temporal.failure.CanceledFailure;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** VALIDATE CONSTRAINT as an activity with a 2 s heartbeat timeout: it heartbeats and stops when cancelled. */
class ValidateConstraintWatchTest {
  static final Duration GONE_WITHIN = Duration.ofSeconds(5);

  private TestDatabase db;
  private WatchedActivities<ProgressiveActivities, StatementProgress> env;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("validate_watch");
    // 4,000 rows at 5 ms each: a validation of about 20 s.
    db.sql("CREATE TABLE items (id bigint PRIMARY KEY)",
        "INSERT INTO items SELECT generate_series(1, 4000)",
        "CREATE FUNCTION slow_ok(bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT true FROM pg_sleep(0.005) $$");
    env = new WatchedActivities<>(ProgressiveActivities.class, new ProgressiveActivitiesImpl(db.target()),
        StatementProgress.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
    db.close();
  }

  private ProgressiveRequest request() {
    return new ProgressiveRequest("m-validate", new TableRef(db.schema(), "items"),
        new ValidatedConstraint("items_slow", "CHECK (" + '"' + db.schema() + "\".slow_ok(id))"),
        null, MigrationOptions.defaults(), null);
  }

  private long runningValidations() {
    return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
        + " AND query ILIKE 'ALTER TABLE%VALIDATE CONSTRAINT%' AND position('" + db.schema() + "' IN query) > 0");
  }

  @Test
  void aValidationHeartbeatsItsBackendAndACancelStopsIt() throws Exception {
    env.start(activities -> {
      activities.addConstraintNotValid(request());
      return null;
    }).get(30, TimeUnit.SECONDS);
    CompletableFuture<Void> validation = env.start(activities -> {
      activities.validateConstraint(request());
      return null;
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (env.heartbeats().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(env.heartbeats()).as("heartbeats while VALIDATE runs").isNotEmpty();
    StatementProgress progress = env.heartbeats().get(0);
    assertThat(progress.migrationId()).isEqualTo("m-validate");
    assertThat(progress.description()).contains("validate items_slow");
    assertThat(progress.phase()).isEqualTo("running");
    assertThat(progress.pid()).isPositive();
    assertThat(runningValidations()).isEqualTo(1);

    env.cancel();
    assertThatThrownBy(() -> validation.get(GONE_WITHIN.toSeconds(), TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(CanceledFailure.class);
    long gone = System.nanoTime() + GONE_WITHIN.toNanos();
    while (runningValidations() > 0 && System.nanoTime() < gone) {
      Thread.sleep(20);
    }
    assertThat(runningValidations()).as("the backend's VALIDATE was cancelled").isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_constraint WHERE conname = 'items_slow' AND convalidated"))
        .as("nothing was validated").isZero();
  }
}
