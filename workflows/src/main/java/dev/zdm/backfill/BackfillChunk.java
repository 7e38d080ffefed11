package dev.zdm.backfill;

/**
 * What one activity call of a backfill reports back: where the pass stands overall (as recorded
 * in {@code _migration_progress}) and why it returned.
 *
 * @param rowsScanned rows of the key range covered so far
 * @param rowsChanged rows actually updated or deleted so far
 * @param rowsTotal the table's row count when the pass started (an estimate for big tables)
 * @param rowsPerSecond rows scanned per second of work in this call
 * @param throttledBecause why the last batch had to wait, or null
 */
public record BackfillChunk(
    long rowsScanned,
    long rowsChanged,
    long rowsTotal,
    long batches,
    double rowsPerSecond,
    int batchSize,
    int delayMs,
    String throttledBecause,
    End end) {

  /** Why the activity returned. */
  public enum End {
    /** The chunk's time is up; more rows remain. */
    TIME_UP,
    /** The control row says paused. */
    PAUSED,
    /** The requested percentage of the key range is done. */
    REACHED_LIMIT,
    /** Every row of the key range is done. */
    FINISHED
  }
}
