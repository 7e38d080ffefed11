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
 */
public record BlueGreenRequest(
    String migrationId, TableRef table, List<String> greenChanges, MigrationOptions options) {
  public BlueGreenRequest {
    greenChanges = greenChanges == null ? List.of() : List.copyOf(greenChanges);
    options = options == null ? MigrationOptions.defaults() : options;
  }

  public String describe() {
    return "restructure " + table.displayName() + " through a green copy";
  }
}
