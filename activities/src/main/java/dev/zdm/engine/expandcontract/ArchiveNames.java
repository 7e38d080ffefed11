package dev.zdm.engine.expandcontract;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;

/** Where expand-contract keeps a dropped column's values: one rule for the workflow and the plan. */
public final class ArchiveNames {
  public static final String PREFIX = "_zdm_archive_";

  private ArchiveNames() {}

  /** {@code <schema>._zdm_archive_<table>_<column>}, shortened with a hash when too long. */
  public static TableRef archiveTable(TableRef table, String column) {
    return new TableRef(table.schema(), Identifiers.generatedName(PREFIX, table.name(), column));
  }
}
