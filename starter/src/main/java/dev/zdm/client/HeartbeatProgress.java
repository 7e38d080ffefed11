package dev.zdm.client;

import dev.zdm.model.Progress;
import dev.zdm.postgres.StatementProgress;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.Optional;

/**
 * The progress of a long statement (an index build, a validation) read from its activity's last
 * heartbeat: workflows no longer poll it into their history, so status reads it from the server.
 */
final class HeartbeatProgress {
  private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

  private HeartbeatProgress() {}

  /** The running statement's progress, or null when no pending activity heartbeats one. */
  static Progress of(DescribeWorkflowExecutionResponse described) {
    for (PendingActivityInfo activity : described.getPendingActivitiesList()) {
      if (!activity.hasHeartbeatDetails()) {
        continue;
      }
      StatementProgress reading = decode(activity);
      if (reading != null && reading.phase() != null) {
        String waiting = reading.blockedBy().isEmpty()
            ? null
            : "waits for backend(s) " + reading.blockedBy() + " (" + reading.waitEvent() + ")";
        return new Progress(reading.description() + ": " + reading.phase(), reading.blocksDone(),
            reading.blocksTotal(), 0, 0, null, 0, 0, false, waiting);
      }
    }
    return null;
  }

  private static StatementProgress decode(PendingActivityInfo activity) {
    try {
      return CONVERTER.fromPayloads(0, Optional.of(activity.getHeartbeatDetails()),
          StatementProgress.class, StatementProgress.class);
    } catch (RuntimeException notAStatement) {
      return null; // a batch cursor or another activity's details
    }
  }
}
