package dev.zdm.engine.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.metrics.ZdmMetrics;
import dev.zdm.metrics.ZdmMetrics.BatchedPass;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A pass ended by its workflow (a rollback cancels it) takes its meters along, and only its own. */
class PassMetersEndTest {

  @Test
  void endingAPassRemovesItsBatchTimerAndThrottleReadingsAndKeepsOtherPasses() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TestDatabase db = TestDatabase.create("pass_meters_end")) {
      ZdmMetrics metrics = new ZdmMetrics(registry);
      TargetDatabase target = TargetDatabase.of(db.dataSource(), db.config(), metrics);
      BatchedPass cancelled = new BatchedPass("m1", "backfill", "public.t");
      BatchedPass running = new BatchedPass("m2", "backfill", "public.t");
      for (BatchedPass pass : new BatchedPass[] {cancelled, running}) {
        metrics.throttleReading(pass, Duration.ofSeconds(2), 1);
        metrics.batchRan(pass, Duration.ofMillis(30));
      }

      new BackfillActivitiesImpl(target).end("m1", "backfill", "cancelled");

      for (String name : new String[] {
          "zdm.migration.replication.lag", "zdm.migration.lock.waiters", "zdm.migration.batch.duration"}) {
        assertThat(registry.find(name).tag("migration", "m1").meters()).as(name + " of m1").isEmpty();
        assertThat(registry.find(name).tag("migration", "m2").meters()).as(name + " of m2").hasSize(1);
      }
      assertThat(registry.find("zdm.migration.replication.lag").tag("migration", "m2").gauge().value())
          .isEqualTo(2.0);
      // A new reading after the end registers the gauge again instead of feeding a removed one.
      metrics.throttleReading(cancelled, Duration.ofSeconds(3), 0);
      assertThat(registry.find("zdm.migration.replication.lag").tag("migration", "m1").gauge().value())
          .isEqualTo(3.0);
    }
  }
}
