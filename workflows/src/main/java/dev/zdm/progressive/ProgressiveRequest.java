package dev.zdm.progressive;

import dev.zdm.backfill.BackfillCarry;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.StepRecord;
import dev.zdm.model.TableRef;
import java.util.List;
import java.util.Objects;

/**
 * Input of one progressive run: one change to one table, with the guide's batch options.
 *
 * @param continued set only by continue-as-new during a batched change
 */
public record ProgressiveRequest(
    String migrationId,
    TableRef table,
    ProgressiveChange change,
    BatchSettings batch,
    MigrationOptions options,
    Continued continued) {

  public ProgressiveRequest {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(change, "change");
    batch = batch == null ? BatchSettings.defaults() : batch;
    options = options == null ? MigrationOptions.defaults() : options;
  }

  /** What a run hands the next one on continue-as-new. */
  public record Continued(BackfillCarry backfill, List<StepRecord> steps) {}

  public ProgressiveRequest continuedAs(Continued next) {
    return new ProgressiveRequest(migrationId, table, change, batch, options, next);
  }
}
