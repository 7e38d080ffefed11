package dev.zdm.backfill;

/**
 * A backfill's workflow-side state handed to the next run on continue-as-new (its cursor is in
 * the database, not here).
 *
 * @param workedMillis working time spent so far, against maxDuration
 * @param rolloutApproved the rollout-percentage gate was passed
 */
public record BackfillCarry(
    long workedMillis, boolean rolloutApproved, boolean paused, Integer batchSize, Integer delayMs) {

  public static BackfillCarry fresh() {
    return new BackfillCarry(0, false, false, null, null);
  }
}
