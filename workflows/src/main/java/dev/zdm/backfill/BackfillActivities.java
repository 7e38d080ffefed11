package dev.zdm.backfill;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The batched data engine, shared by every strategy that moves rows. Each call is idempotent and
 * resumes from the cursor committed in {@code _migration_progress}.
 */
@ActivityInterface
public interface BackfillActivities {

  /**
   * Runs batches for up to the request's chunk duration and reports where the pass stands.
   * Refuses (InvalidMigration) a table without a primary key.
   */
  @ActivityMethod(name = "BackfillChunk")
  BackfillChunk runChunk(BackfillRequest request);

  /**
   * Checks every row, in batches, that no row still needs the change; throws VerificationFailed
   * (not retryable) naming the first mismatching keys.
   */
  @ActivityMethod(name = "VerifyBackfill")
  Verification verify(BackfillRequest request);

  /** Writes the live control row the engine reads before each batch. */
  @ActivityMethod(name = "SetBatchControl")
  void setControl(BatchControl control);

  /** Marks the pass ended in {@code _migration_progress} (cancelled on rollback) and clears its control row. */
  @ActivityMethod(name = "EndBackfill")
  void end(String migrationId, String step, String status);
}
