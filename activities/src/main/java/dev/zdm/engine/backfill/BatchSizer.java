package dev.zdm.engine.backfill;

import dev.zdm.backfill.BatchSettings;

/**
 * Chooses the next batch's size so a batch takes about the target time: bigger while batches are
 * quick, smaller when they slow down or hit a lock timeout, never more than doubling or halving
 * at once, always within the settings' bounds.
 */
final class BatchSizer {
  private final BatchSettings settings;
  private int size;

  BatchSizer(BatchSettings settings, Integer lastSize) {
    this.settings = settings;
    this.size = clamp(lastSize == null || !settings.adaptive() ? settings.batchSize() : lastSize);
  }

  /** The size for the next batch; a live {@code zdm throttle --batch-size} pins it. */
  int next(Integer pinned) {
    return pinned != null ? pinned : size;
  }

  /** Learns from a full batch of {@code rows} that took {@code millis}. */
  void observe(int rows, long millis) {
    if (!settings.adaptive() || rows < size) {
      return;
    }
    double factor = (double) settings.targetBatchTime().toMillis() / Math.max(1, millis);
    factor = Math.max(0.5, Math.min(2.0, factor));
    size = clamp((int) Math.round(size * factor));
  }

  /** A lock timeout: the batch held or wanted too many rows at once. */
  void lockTimedOut() {
    size = clamp(size / 2);
  }

  private int clamp(int rows) {
    return Math.max(settings.minBatchRows(), Math.min(settings.maxBatchRows(), rows));
  }
}
