package dev.zdm.expandcontract;

import dev.zdm.backfill.BackfillCarry;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.StepRecord;
import dev.zdm.model.TableRef;
import dev.zdm.workflow.InboxCarry;
import java.util.List;

/**
 * Input of one expand-contract run: which column of which table goes, and the options.
 *
 * @param progressStep the plan step's key in {@code _migration_progress}; null in runs started
 *     before the archive went through the batch engine
 * @param continueAsNewAfterEvents history length after which a run continues as new during its
 *     archive copy; null: {@link BatchSettings#DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS}
 * @param continued set only by continue-as-new during the archive copy
 */
public record ExpandContractRequest(
    String migrationId,
    TableRef table,
    String column,
    MigrationOptions options,
    String progressStep,
    Integer continueAsNewAfterEvents,
    Continued continued) {

  public ExpandContractRequest(
      String migrationId, TableRef table, String column, MigrationOptions options) {
    this(migrationId, table, column, options, null);
  }

  public ExpandContractRequest(
      String migrationId, TableRef table, String column, MigrationOptions options,
      String progressStep) {
    this(migrationId, table, column, options, progressStep, null, null);
  }

  /**
   * What a run hands the next one when it continues as new in the archive copy: the deprecation,
   * deployment, removal date and approval are behind it; the copy goes on from the cursor in its
   * progress row.
   *
   * @param archiveTable the archive the copy fills
   * @param inbox the deployment received and a rollback not yet acted on (a rollback is acted on
   *     before continuing, so none is expected)
   * @param archiveKeptCurrent true when a trigger keeps the archive current (change
   *     {@code zdm-archive-trigger}); null in runs continued before it: an archive without trigger
   */
  public record Continued(
      TableRef archiveTable, BackfillCarry backfill, List<StepRecord> steps, InboxCarry inbox,
      Boolean archiveKeptCurrent) {

    public boolean keptCurrent() {
      return Boolean.TRUE.equals(archiveKeptCurrent);
    }
  }

  public ExpandContractRequest continuedAs(Continued next) {
    return new ExpandContractRequest(migrationId, table, column, options, progressStep,
        continueAsNewAfterEvents, next);
  }

  /** The progress row of the archive copy. */
  public String archiveProgressKey() {
    return (progressStep == null ? "expand-contract" : progressStep) + "-archive";
  }
}
