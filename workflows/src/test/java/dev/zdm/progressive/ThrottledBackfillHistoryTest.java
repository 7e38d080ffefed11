package dev.zdm.progressive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.backfill.BackfillChunk;
import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ProgressiveDmlStep;
import io.temporal.api.enums.v1.EventType;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A backfill throttled on and off chunk after chunk tells its parent nothing about it: the parent's
 * history grows with the plan's steps, not with the hours a throttled backfill takes (release 0.1
 * sent the parent a signal and a search-attribute update for every flip).
 */
class ThrottledBackfillHistoryTest {
  private static final int CHUNKS = 40;

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  @Test
  void throttleWaitsStayInTheChildAndOutOfTheParentsHistory() {
    AtomicInteger chunk = new AtomicInteger();
    temporal.script.when("BackfillChunk progressive-step-1", normal -> {
      int n = chunk.incrementAndGet();
      return new BackfillChunk(n * 100L, n * 100L, CHUNKS * 100L, n, 100, 100, 0,
          n % 2 == 0 ? "replication lag 6 s is above 5 s" : null,
          n == CHUNKS ? BackfillChunk.End.FINISHED : BackfillChunk.End.TIME_UP);
    });
    var workflow = temporal.start("throttled", MigrationOptions.defaults(), new ProgressiveDmlStep(
        TableRef.of("orders"), ProgressiveDmlStep.Operation.UPDATE, "c = 0", "c IS NULL", "c IS NULL",
        1000, 0, 3_600_000, 100, 1));

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(chunk.get()).isEqualTo(CHUNKS);
    long signalsToParent = temporal.client().fetchHistory("zdm-throttled").getEvents().stream()
        .filter(event -> event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
        .count();
    assertThat(signalsToParent).as("child status signals in the parent's history").isLessThan(15);
  }
}
