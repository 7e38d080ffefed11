package dev.zdm.expandcontract;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;

/**
 * Input of one expand-contract run: which column of which table goes, and the options.
 *
 * @param progressStep the plan step's key in {@code _migration_progress}; null in runs started
 *     before the archive went through the batch engine
 */
public record ExpandContractRequest(
    String migrationId, TableRef table, String column, MigrationOptions options, String progressStep) {

  public ExpandContractRequest(
      String migrationId, TableRef table, String column, MigrationOptions options) {
    this(migrationId, table, column, options, null);
  }

  /** The progress row of the archive copy. */
  public String archiveProgressKey() {
    return (progressStep == null ? "expand-contract" : progressStep) + "-archive";
  }
}
