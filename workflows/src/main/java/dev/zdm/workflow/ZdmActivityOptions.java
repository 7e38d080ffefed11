package dev.zdm.workflow;

import dev.zdm.activities.ZdmFailures;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity options per kind of step, so every workflow times and retries steps alike. */
public final class ZdmActivityOptions {
  /** Short DDL: seconds of work, retried until the lock is had (the runner adds jitter). */
  public static final Duration DDL_START_TO_CLOSE = Duration.ofMinutes(5);
  public static final Duration RETRY_INITIAL_INTERVAL = Duration.ofSeconds(1);
  public static final Duration RETRY_MAX_INTERVAL = Duration.ofSeconds(30);
  public static final double RETRY_BACKOFF = 2.0;
  /** Batched data steps: long, resumable from the heartbeated cursor. */
  public static final Duration DATA_START_TO_CLOSE = Duration.ofHours(24);
  public static final Duration DATA_HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration PREPARE_START_TO_CLOSE = Duration.ofMinutes(2);
  public static final int PREPARE_MAX_ATTEMPTS = 5;

  private static final String[] NOT_RETRYABLE = {
    ZdmFailures.INVALID_MIGRATION,
    ZdmFailures.SQL_REFUSED,
    ZdmFailures.VERIFICATION_FAILED,
    ZdmFailures.BREAKER_OPEN
  };

  private ZdmActivityOptions() {}

  public static ActivityOptions ddl() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(DDL_START_TO_CLOSE)
        .setRetryOptions(retryUntilRefused(0))
        .build();
  }

  public static ActivityOptions data() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(DATA_START_TO_CLOSE)
        .setHeartbeatTimeout(DATA_HEARTBEAT_TIMEOUT)
        .setRetryOptions(retryUntilRefused(0))
        .build();
  }

  /**
   * From the operation model on, a cancelled activity is waited for until it has really stopped
   * (its backend cancelled), so an undo never races the step it undoes.
   */
  public static ActivityOptions ddl(WorkflowRelease release) {
    return waitForCancellation(ddl(), release);
  }

  public static ActivityOptions data(WorkflowRelease release) {
    return waitForCancellation(data(), release);
  }

  private static ActivityOptions waitForCancellation(ActivityOptions options, WorkflowRelease release) {
    if (!release.operationModel()) {
      return options;
    }
    return ActivityOptions.newBuilder(options)
        .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
        .build();
  }

  public static ActivityOptions prepare() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(PREPARE_START_TO_CLOSE)
        .setRetryOptions(retryUntilRefused(PREPARE_MAX_ATTEMPTS))
        .build();
  }

  private static RetryOptions retryUntilRefused(int maximumAttempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(RETRY_INITIAL_INTERVAL)
        .setMaximumInterval(RETRY_MAX_INTERVAL)
        .setBackoffCoefficient(RETRY_BACKOFF)
        .setMaximumAttempts(maximumAttempts)
        .setDoNotRetry(NOT_RETRYABLE)
        .build();
  }
}
