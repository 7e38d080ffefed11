package dev.zdm.engine.backfill;

import dev.zdm.backfill.BackfillRequest;

/** Told after each committed batch; metrics hook, and tests use it to crash the worker mid-pass. */
@FunctionalInterface
public interface BatchListener {
  BatchListener NONE = (request, batchNumber) -> {};

  void afterBatch(BackfillRequest request, long batchNumber);
}
