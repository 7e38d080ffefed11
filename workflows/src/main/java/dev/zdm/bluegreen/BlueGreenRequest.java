package dev.zdm.bluegreen;

import dev.zdm.backfill.BackfillCarry;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.StepRecord;
import dev.zdm.model.TableRef;
import dev.zdm.workflow.InboxCarry;
import java.util.List;

/**
 * Input of one blue-green run.
 *
 * @param greenChanges statements written against the table's own name; each must be a simple
 *     {@code ALTER TABLE <table> ...} (applied to the green copy instead) or {@code VACUUM FULL
 *     <table>} (which the fresh copy itself achieves)
 * @param progressStep the plan step's key in {@code _migration_progress}; null in runs started
 *     before the copy went through the batch engine
 * @param continueAsNewAfterEvents history length after which a run continues as new during its
 *     copy or comparison; null: {@link BatchSettings#DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS}
 * @param continued set only by continue-as-new during the copy or the comparison
 */
public record BlueGreenRequest(
    String migrationId,
    TableRef table,
    List<String> greenChanges,
    MigrationOptions options,
    String progressStep,
    Integer continueAsNewAfterEvents,
    Continued continued) {
  public static final String COPY = "copy";
  public static final String VERIFY = "verify";

  public BlueGreenRequest {
    greenChanges = greenChanges == null ? List.of() : List.copyOf(greenChanges);
    options = options == null ? MigrationOptions.defaults() : options;
  }

  public BlueGreenRequest(
      String migrationId, TableRef table, List<String> greenChanges, MigrationOptions options) {
    this(migrationId, table, greenChanges, options, null);
  }

  public BlueGreenRequest(
      String migrationId, TableRef table, List<String> greenChanges, MigrationOptions options,
      String progressStep) {
    this(migrationId, table, greenChanges, options, progressStep, null, null);
  }

  /**
   * What a run hands the next one when it continues as new in a pass: everything before that pass
   * is done; the pass itself goes on from the cursor in its progress row.
   *
   * @param pass {@link #COPY} or {@link #VERIFY}
   * @param green the green copy's table
   * @param inbox controls received and not yet acted on (a rollback is acted on before continuing)
   */
  public record Continued(
      String pass, TableRef green, BackfillCarry backfill, List<StepRecord> steps, InboxCarry inbox) {}

  public BlueGreenRequest continuedAs(Continued next) {
    return new BlueGreenRequest(migrationId, table, greenChanges, options, progressStep,
        continueAsNewAfterEvents, next);
  }

  /** The progress row of one of this step's passes ({@link #COPY}, {@link #VERIFY}). */
  public String progressKey(String pass) {
    return (progressStep == null ? "blue-green" : progressStep) + "-" + pass;
  }

  public String describe() {
    return "restructure " + table.displayName() + " through a green copy";
  }
}
