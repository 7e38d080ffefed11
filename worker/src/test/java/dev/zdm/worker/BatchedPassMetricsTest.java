package dev.zdm.worker;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static dev.zdm.worker.ScrapeText.series;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.engine.progressive.ProgressiveActivitiesImpl;
import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.progressive.ProgressiveChange.BatchedDelete;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.progressive.ProgressiveWorkflow;
import dev.zdm.progressive.ProgressiveWorkflowImpl;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The batched engine's own meters (the throttle's replication lag and lock waiters, lock-timeout
 * retries, batch duration), read from the worker's Prometheus text during a real batched delete
 * that first meets a row lock, then a session queued for a lock on its table.
 */
class BatchedPassMetricsTest {
  private static final String PURGE = "migration=\"purge\"";

  /** Scrapes until the predicate holds; fails after a minute. */
  private static String awaitScrape(PrometheusMeterRegistry registry, Predicate<String> condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    String scrape = registry.scrape();
    while (!condition.test(scrape)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; last scrape:\n" + scrape);
      }
      Thread.sleep(20);
      scrape = registry.scrape();
    }
    return scrape;
  }

  @Test
  void aBatchedPassExportsTheThrottlesReadingsItsLockTimeoutsAndItsBatchDurations() throws Exception {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    try (TestDatabase db = TestDatabase.create("pass_metrics")) {
      TargetDatabase target = TargetDatabase.of(db.dataSource(), db.config(), new ZdmMetrics(registry));
      String events = Identifiers.quote(db.schema()) + ".events";
      db.sql(
          "CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL)",
          "INSERT INTO events SELECT g, CASE WHEN g % 3 = 0 THEN 'junk' ELSE 'keep' END FROM generate_series(1, 12000) g");
      // Scraped inside the third batch's chunk, after that batch committed.
      AtomicReference<String> duringThirdBatch = new AtomicReference<>();
      BackfillActivitiesImpl backfill = new BackfillActivitiesImpl(target, (request, batch) -> {
        if (batch == 3) {
          duringThirdBatch.set(registry.scrape());
        }
      });
      try (TemporalTestEnv temporal = new TemporalTestEnv(
              new Class<?>[] {ProgressiveWorkflowImpl.class},
              new ProgressiveActivitiesImpl(target), backfill, new DdlActivitiesImpl(target));
          Connection rowHolder = db.connection();
          Connection tableHolder = db.connection()) {
        // The last junk row stays locked: the pass's batch that reaches it times out on it.
        rowHolder.setAutoCommit(false);
        try (Statement statement = rowHolder.createStatement()) {
          statement.execute("SELECT id FROM " + events + " WHERE id = 12000 FOR UPDATE");
        }
        ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "zdm-purge");
        BatchSettings tenPercent = new BatchSettings(300, 0, null, 10, null, null, null, null, Duration.ofMillis(300), null);
        WorkflowClient.start(workflow::run, new ProgressiveRequest("purge", new TableRef(db.schema(), "events"),
            new BatchedDelete("kind = 'junk'"), tenPercent, MigrationOptions.defaults(), null));
        awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the rollout gate");

        // No standby in this test: the throttle read a lag of 0, and no session waited for a lock.
        String third = duringThirdBatch.get();
        assertThat(third).as("scraped during the third batch").isNotNull();
        assertThat(db.count("SELECT count(*) FROM pg_stat_replication WHERE replay_lag IS NOT NULL")).isZero();
        assertThat(series(third, "zdm_migration_replication_lag_seconds", PURGE)).isZero();
        assertThat(series(third, "zdm_migration_lock_waiters", PURGE)).isZero();
        assertThat(series(third, "zdm_migration_batch_duration_seconds_count", PURGE)).isEqualTo(3.0);
        assertThat(series(third, "zdm_migration_batch_duration_seconds_sum", PURGE)).isPositive();

        // At the gate no chunk runs: the throttle's readings are gone, the batch timer counts on.
        String atGate = registry.scrape();
        assertThat(series(atGate, "zdm_migration_replication_lag_seconds", PURGE)).isNull();
        assertThat(series(atGate, "zdm_migration_lock_waiters", PURGE)).isNull();
        assertThat(series(atGate, "zdm_migration_batch_duration_seconds_count", PURGE))
            .isEqualTo((double) db.count("SELECT batches_completed FROM _migration_progress WHERE migration_id = 'purge'"));
        assertThat(series(atGate, "zdm_migration_lock_timeouts_total", PURGE)).isNull();

        workflow.approve(new ApprovalRequest("test", "go on"));
        String timedOut = awaitScrape(registry,
            s -> series(s, "zdm_migration_lock_timeouts_total", PURGE) != null, "a lock timeout on row 12000");
        assertThat(series(timedOut, "zdm_migration_lock_timeouts_total", PURGE)).isGreaterThanOrEqualTo(1.0);

        // A session queues behind a SHARE lock on the table: the throttle sees one waiter.
        tableHolder.setAutoCommit(false);
        try (Statement statement = tableHolder.createStatement()) {
          statement.execute("LOCK TABLE " + events + " IN SHARE MODE");
        }
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> db.execute(
            "DELETE FROM {schema}.events WHERE id = -1"));
        String waiting = awaitScrape(registry,
            s -> Double.valueOf(1.0).equals(series(s, "zdm_migration_lock_waiters", PURGE)), "one lock waiter");
        assertThat(series(waiting, "zdm_migration_replication_lag_seconds", PURGE)).isZero();
        tableHolder.rollback();
        waiter.get();
        rowHolder.rollback();

        WorkflowStub.fromTyped(workflow).getResult(Object.class);
        assertThat(db.count("SELECT count(*) FROM events WHERE kind = 'junk'")).isZero();
        String after = registry.scrape();
        assertThat(series(after, "zdm_migration_replication_lag_seconds", PURGE)).as("a finished pass").isNull();
        assertThat(series(after, "zdm_migration_lock_waiters", PURGE)).isNull();
        assertThat(series(after, "zdm_migration_batch_duration_seconds_count", PURGE)).isNull();
        // Retries are counted per migration and in the worker-wide total alike.
        double retries = series(after, "zdm_migration_lock_timeouts_total", PURGE);
        assertThat(retries).isGreaterThanOrEqualTo(1.0);
        Matcher total = Pattern.compile("^zdm_lock_timeouts_total (\\S+)$", Pattern.MULTILINE).matcher(after);
        assertThat(total.find()).isTrue();
        assertThat(Double.parseDouble(total.group(1))).isEqualTo(retries);
      }
    }
  }
}
