package dev.zdm.progressive;

import dev.zdm.backfill.BackfillCarry;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.StepRecord;
import dev.zdm.model.TableRef;
import dev.zdm.workflow.InboxCarry;
import java.util.List;
import java.util.Objects;

/**
 * Input of one progressive run: one change to one table, with the guide's batch options.
 *
 * @param continued set only by continue-as-new during a batched change
 * @param progressStep the key of this plan step's rows in {@code _migration_progress}, unique per
 *     step of the file; null in requests of the first release, which all used {@link #FIRST_RELEASE_STEP}
 */
public record ProgressiveRequest(
    String migrationId,
    TableRef table,
    ProgressiveChange change,
    BatchSettings batch,
    MigrationOptions options,
    Continued continued,
    String progressStep) {
  /** The progress key every progressive step used in release 0.1 (two in one file collided). */
  public static final String FIRST_RELEASE_STEP = "progressive";

  public ProgressiveRequest(
      String migrationId, TableRef table, ProgressiveChange change, BatchSettings batch,
      MigrationOptions options, Continued continued) {
    this(migrationId, table, change, batch, options, continued, null);
  }

  public ProgressiveRequest {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(change, "change");
    batch = batch == null ? BatchSettings.defaults() : batch;
    options = options == null ? MigrationOptions.defaults() : options;
  }

  /**
   * What a run hands the next one on continue-as-new.
   *
   * @param inbox controls received and not yet acted on; null in runs of the first release
   */
  public record Continued(BackfillCarry backfill, List<StepRecord> steps, InboxCarry inbox) {}

  public ProgressiveRequest continuedAs(Continued next) {
    return new ProgressiveRequest(migrationId, table, change, batch, options, next, progressStep);
  }

  /** The progress key to use: this step's own, or the first release's shared one. */
  public String progressKey() {
    return progressStep == null ? FIRST_RELEASE_STEP : progressStep;
  }

  public ProgressiveRequest withProgressStep(String key) {
    return new ProgressiveRequest(migrationId, table, change, batch, options, continued, key);
  }
}
