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
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.progressive.ProgressiveChange.BatchedDelete;
import dev.zdm.progressive.ProgressiveRequest;
import dev.zdm.progressive.ProgressiveWorkflow;
import dev.zdm.progressive.ProgressiveWorkflowImpl;
import dev.zdm.temporalclient.MigrationSummary;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The per-migration gauges, read from the worker's Prometheus text while a real batched delete
 * waits at its rollout gate, after it finished, and with the breaker tripped.
 */
class MigrationProgressGaugesTest {
  @Test
  void aBatchedPassShowsItsProgressRatePhaseAndTheBreakerWhileItRunsAndDisappearsWhenDone() throws Exception {
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    try (TestDatabase db = TestDatabase.create("progress_gauges")) {
      TargetDatabase target = TargetDatabase.of(db.dataSource(), db.config(), new ZdmMetrics(registry));
      MigrationProgressGauges gauges = new MigrationProgressGauges(registry, target);
      db.sql(
          "CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL)",
          "INSERT INTO events SELECT g, CASE WHEN g % 3 = 0 THEN 'junk' ELSE 'keep' END FROM generate_series(1, 12000) g");
      try (TemporalTestEnv temporal = new TemporalTestEnv(
          new Class<?>[] {ProgressiveWorkflowImpl.class},
          new ProgressiveActivitiesImpl(target), new BackfillActivitiesImpl(target), new DdlActivitiesImpl(target))) {
        ProgressiveWorkflow workflow = temporal.newWorkflow(ProgressiveWorkflow.class, "zdm-purge");
        BatchSettings tenPercent = new BatchSettings(300, 0, null, 10, null, null, null, null, Duration.ofMillis(300), null);
        WorkflowClient.start(workflow::run, new ProgressiveRequest("purge", new TableRef(db.schema(), "events"),
            new BatchedDelete("kind = 'junk'"), tenPercent, MigrationOptions.defaults(), null));
        MigrationStatus gate = awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the rollout gate");

        gauges.refreshFromLedger();
        gauges.refreshPhases(List.of(new MigrationSummary("purge", "zdm-purge", "Running", gate.strategy(),
            gate.table(), gate.phase(), gate.waitingFor(), Instant.now(), null)));
        String scrape = registry.scrape();
        String purge = "migration=\"purge\"";
        long scanned = db.count("SELECT rows_scanned FROM _migration_progress WHERE migration_id = 'purge'");
        long total = db.count("SELECT rows_total FROM _migration_progress WHERE migration_id = 'purge'");
        assertThat(scanned).isBetween(1_100L, 1_300L);
        assertThat(series(scrape, "zdm_migration_rows_done", purge)).isEqualTo((double) scanned);
        assertThat(series(scrape, "zdm_migration_rows_left", purge)).isEqualTo((double) (total - scanned));
        double rate = series(scrape, "zdm_migration_rows_per_second", purge);
        assertThat(rate).isPositive();
        assertThat(series(scrape, "zdm_migration_eta_seconds", purge)).isCloseTo((total - scanned) / rate, Offset.offset(0.01));
        // Adaptive sizing moves it from the 300 asked for; the gauge shows what the ledger says now.
        assertThat(series(scrape, "zdm_migration_batch_size", purge))
            .isEqualTo((double) db.count("SELECT batch_size FROM _migration_progress WHERE migration_id = 'purge'"));
        String status = db.value("SELECT status FROM _migration_progress WHERE migration_id = 'purge'");
        assertThat(series(scrape, "zdm_migration_paused", purge)).isEqualTo("paused".equals(status) ? 1.0 : 0.0);
        assertThat(series(scrape, "zdm_migration_phase", "phase=\"" + gate.phase() + "\",state=\"waiting:approval\""))
            .isEqualTo(1.0);
        assertThat(series(scrape, "zdm_migration_undo_failed", purge)).isZero();
        assertThat(scrape).contains("zdm_circuit_breaker_open 0.0");

        try (Connection connection = db.connection()) {
          for (int i = 0; i < 50 && !target.breaker().isOpen(connection); i++) {
            target.breaker().record(connection, false, "test");
          }
          gauges.refreshFromLedger();
          assertThat(registry.scrape()).contains("zdm_circuit_breaker_open 1.0");
          target.breaker().reset(connection);
        }

        workflow.approve(new ApprovalRequest("test", "go on"));
        WorkflowStub.fromTyped(workflow).getResult(Object.class);
        gauges.refreshFromLedger();
        gauges.refreshPhases(List.of(new MigrationSummary("other", "zdm-other", "Running", "direct", "t",
            MigrationProgressGauges.UNDO_FAILED_PHASE, "intervention", Instant.now(), null)));
        String after = registry.scrape();
        assertThat(series(after, "zdm_migration_rows_done", purge)).as("a finished pass is not shown").isNull();
        assertThat(series(after, "zdm_migration_phase", purge)).isNull();
        assertThat(series(after, "zdm_migration_undo_failed", "migration=\"other\"")).isEqualTo(1.0);
        assertThat(after).contains("zdm_circuit_breaker_open 0.0");
      }
    }
  }
}
