package dev.zdm.backfill;

import dev.zdm.model.ThrottleRequest;
import java.time.Duration;

/**
 * How a batched data step runs: the guide's progressive options ({@code batchSize}, {@code delayMs},
 * {@code maxDuration}, {@code rolloutPercentage}) plus the engine's own limits. Validated here
 * once; a null argument takes the named default.
 *
 * @param batchSize rows in the first batch; with {@code adaptive} the engine then sizes batches to
 *     take about {@code targetBatchTime}, between {@link #MIN_BATCH_ROWS} and {@link
 *     #MAX_BATCH_ROWS}
 * @param delayMs pause between batches, so the application gets the I/O and locks back
 * @param maxDuration working time (pauses excluded) after which the workflow waits for approval to
 *     go on
 * @param rolloutPercentage process the first N % of the key range, then wait for approval to go on
 * @param adaptive false keeps every batch at {@code batchSize}
 * @param targetBatchTime how long one batch (one transaction) should take
 * @param maxReplicationLag batches wait while a standby's replay lag is above this
 * @param maxLockWaiters batches wait while more sessions than this wait for a lock on the table
 * @param chunkDuration how long one activity call works before it reports progress to the
 *     workflow (the status query shows progress at this granularity)
 * @param continueAsNewAfterEvents history length after which the workflow continues as new
 */
public record BatchSettings(
    Integer batchSize,
    Integer delayMs,
    Duration maxDuration,
    Integer rolloutPercentage,
    Boolean adaptive,
    Duration targetBatchTime,
    Duration maxReplicationLag,
    Integer maxLockWaiters,
    Duration chunkDuration,
    Integer continueAsNewAfterEvents) {

  /** The guide's defaults. */
  public static final int DEFAULT_BATCH_ROWS = 10_000;
  public static final int DEFAULT_DELAY_MS = 100;
  public static final Duration DEFAULT_MAX_DURATION = Duration.ofHours(1);
  public static final int DEFAULT_ROLLOUT_PERCENTAGE = 100;
  /** 100-200 ms keeps each batch's row locks short enough that the application never notices. */
  public static final Duration DEFAULT_TARGET_BATCH_TIME = Duration.ofMillis(150);
  public static final Duration DEFAULT_MAX_REPLICATION_LAG = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_LOCK_WAITERS = 0;
  public static final Duration DEFAULT_CHUNK_DURATION = Duration.ofSeconds(10);
  /** Well under Temporal's 50k-event limit, leaving room for signals and gates. */
  public static final int DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;

  /** A strategy's copy reports less often: its run keeps every chunk in its history. */
  public static final Duration COPY_CHUNK_DURATION = Duration.ofSeconds(30);

  public static final int MIN_BATCH_ROWS = 100;
  public static final int MAX_BATCH_ROWS = 100_000;
  public static final int MAX_DELAY_MS = 60_000;
  public static final int MIN_CONTINUE_AS_NEW_AFTER_EVENTS = 30;

  public BatchSettings {
    batchSize = batchSize == null ? DEFAULT_BATCH_ROWS : batchSize;
    delayMs = delayMs == null ? DEFAULT_DELAY_MS : delayMs;
    maxDuration = maxDuration == null ? DEFAULT_MAX_DURATION : maxDuration;
    rolloutPercentage = rolloutPercentage == null ? DEFAULT_ROLLOUT_PERCENTAGE : rolloutPercentage;
    adaptive = adaptive == null ? Boolean.TRUE : adaptive;
    targetBatchTime = targetBatchTime == null ? DEFAULT_TARGET_BATCH_TIME : targetBatchTime;
    maxReplicationLag = maxReplicationLag == null ? DEFAULT_MAX_REPLICATION_LAG : maxReplicationLag;
    maxLockWaiters = maxLockWaiters == null ? DEFAULT_MAX_LOCK_WAITERS : maxLockWaiters;
    chunkDuration = chunkDuration == null ? DEFAULT_CHUNK_DURATION : chunkDuration;
    continueAsNewAfterEvents =
        continueAsNewAfterEvents == null
            ? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS
            : continueAsNewAfterEvents;
    checkBatchSize("batchSize", batchSize);
    checkDelay("delayMs", delayMs);
    requirePositive("maxDuration", maxDuration);
    if (rolloutPercentage < 1 || rolloutPercentage > 100) {
      throw new IllegalArgumentException(
          "rolloutPercentage must be between 1 and 100, got " + rolloutPercentage);
    }
    requirePositive("targetBatchTime", targetBatchTime);
    requirePositive("maxReplicationLag", maxReplicationLag);
    if (maxLockWaiters < 0) {
      throw new IllegalArgumentException("maxLockWaiters must not be negative, got " + maxLockWaiters);
    }
    requirePositive("chunkDuration", chunkDuration);
    if (continueAsNewAfterEvents < MIN_CONTINUE_AS_NEW_AFTER_EVENTS) {
      throw new IllegalArgumentException(
          "continueAsNewAfterEvents must be at least "
              + MIN_CONTINUE_AS_NEW_AFTER_EVENTS
              + ", got "
              + continueAsNewAfterEvents);
    }
  }

  public static BatchSettings defaults() {
    return new BatchSettings(null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * A strategy's own copy or comparison (blue-green, the expand-contract archive): the guide's
   * batch size and delay; a chunk reports every 30 s, since every chunk adds its events to the
   * run's history (which continues as new when long, BackfillDriver#runToEnd).
   */
  public static BatchSettings forCopies() {
    return defaults().withChunkDuration(COPY_CHUNK_DURATION);
  }

  /** {@link #forCopies()} continuing as new after the given history length; null: the default. */
  public static BatchSettings forCopies(Integer continueAsNewAfterEvents) {
    BatchSettings copies = forCopies();
    return continueAsNewAfterEvents == null
        ? copies : copies.withContinueAsNewAfterEvents(continueAsNewAfterEvents);
  }

  /** The guide's four options; everything else default. */
  public static BatchSettings of(
      Integer batchSize, Integer delayMs, Duration maxDuration, Integer rolloutPercentage) {
    return new BatchSettings(
        batchSize, delayMs, maxDuration, rolloutPercentage, null, null, null, null, null, null);
  }

  public BatchSettings withChunkDuration(Duration value) {
    return new BatchSettings(
        batchSize, delayMs, maxDuration, rolloutPercentage, adaptive, targetBatchTime,
        maxReplicationLag, maxLockWaiters, value, continueAsNewAfterEvents);
  }

  public BatchSettings withAdaptive(boolean value) {
    return new BatchSettings(
        batchSize, delayMs, maxDuration, rolloutPercentage, value, targetBatchTime,
        maxReplicationLag, maxLockWaiters, chunkDuration, continueAsNewAfterEvents);
  }

  public BatchSettings withContinueAsNewAfterEvents(int value) {
    return new BatchSettings(
        batchSize, delayMs, maxDuration, rolloutPercentage, adaptive, targetBatchTime,
        maxReplicationLag, maxLockWaiters, chunkDuration, value);
  }

  /** Smallest batch the adaptive sizer may choose: never above what the user asked for. */
  public int minBatchRows() {
    return Math.min(MIN_BATCH_ROWS, batchSize);
  }

  /** Largest batch the adaptive sizer may choose: never below what the user asked for. */
  public int maxBatchRows() {
    return Math.max(MAX_BATCH_ROWS, batchSize);
  }

  /** Checks a live {@code zdm throttle} value with the same limits. */
  public static void checkBatchSize(String name, int rows) {
    if (rows < 1 || rows > MAX_BATCH_ROWS) {
      throw new IllegalArgumentException(
          name + " must be between 1 and " + MAX_BATCH_ROWS + " rows, got " + rows);
    }
  }

  /** Checks both values of a live {@code zdm throttle}; IllegalArgumentException names the bad one. */
  public static void checkThrottle(ThrottleRequest request) {
    if (request.batchSize() != null) {
      checkBatchSize("batch size", request.batchSize());
    }
    if (request.delayMs() != null) {
      checkDelay("delay", request.delayMs());
    }
  }

  public static void checkDelay(String name, int millis) {
    if (millis < 0 || millis > MAX_DELAY_MS) {
      throw new IllegalArgumentException(
          name + " must be between 0 and " + MAX_DELAY_MS + " ms, got " + millis);
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
