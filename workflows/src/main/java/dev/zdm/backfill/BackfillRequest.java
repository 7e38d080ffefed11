package dev.zdm.backfill;

import dev.zdm.model.TableRef;
import java.time.Duration;
import java.util.Objects;

/**
 * One batched pass over a table: which rows change and how, with which settings.
 *
 * @param step names this pass in {@code _migration_progress} (one row per migration and step)
 * @param upToPercent process the first N % of the key range only (the rollout percentage); 100 for
 *     all of it
 */
public record BackfillRequest(
    String migrationId,
    String step,
    TableRef table,
    BatchChange change,
    BatchSettings settings,
    Duration lockTimeout,
    int upToPercent) {

  public BackfillRequest {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(change, "change");
    settings = settings == null ? BatchSettings.defaults() : settings;
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    if (upToPercent < 1 || upToPercent > 100) {
      throw new IllegalArgumentException("upToPercent must be 1..100, got " + upToPercent);
    }
  }

  public BackfillRequest upTo(int percent) {
    return new BackfillRequest(migrationId, step, table, change, settings, lockTimeout, percent);
  }
}
