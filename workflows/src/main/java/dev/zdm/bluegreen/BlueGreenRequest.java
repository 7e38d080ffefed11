package dev.zdm.bluegreen;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import java.util.List;

/**
 * Input of one blue-green run.
 *
 * @param greenChanges statements written against the table's own name; each must be a simple
 *     {@code ALTER TABLE <table> ...} (applied to the green copy instead) or {@code VACUUM FULL
 *     <table>} (which the fresh copy itself achieves)
 * @param progressStep the plan step's key in {@code _migration_progress}; null in runs started
 *     before the copy went through the batch engine
 */
public record BlueGreenRequest(
    String migrationId,
    TableRef table,
    List<String> greenChanges,
    MigrationOptions options,
    String progressStep) {
  public BlueGreenRequest {
    greenChanges = greenChanges == null ? List.of() : List.copyOf(greenChanges);
    options = options == null ? MigrationOptions.defaults() : options;
  }

  public BlueGreenRequest(
      String migrationId, TableRef table, List<String> greenChanges, MigrationOptions options) {
    this(migrationId, table, greenChanges, options, null);
  }

  /** The progress row of one of this step's passes ({@code copy}, {@code verify}). */
  public String progressKey(String pass) {
    return (progressStep == null ? "blue-green" : progressStep) + "-" + pass;
  }

  public String describe() {
    return "restructure " + table.displayName() + " through a green copy";
  }
}
