package dev.zdm.engine.expandcontract;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.HashedName;
import dev.zdm.postgres.Identifiers;
import java.util.Set;

/** Where expand-contract keeps a dropped column's values: one rule for the workflow and the plan. */
public final class ArchiveNames {
  public static final String PREFIX = "_zdm_archive_";
  /** The archive's own column: when the value was archived. */
  static final String ARCHIVED_AT = "archived_at";

  private ArchiveNames() {}

  /**
   * The archive kept current by a trigger (change {@code zdm-archive-trigger}): the archive table
   * {@code <schema>._zdm_archive_<table>_<column>_<hash>}, and the trigger on the table and the
   * function it runs, both of the same name. The hash is of (schema, table, column), so two
   * columns never share one; the readable part is cut to fit 63 bytes.
   */
  public static ArchiveObjects of(TableRef table, String column) {
    String name = HashedName.of(PREFIX, table.name() + "_" + column, table.schema(), table.name(), column);
    return new ArchiveObjects(table, column, name);
  }

  /**
   * {@code <schema>._zdm_archive_<table>_<column>}: the name of archives made before the trigger,
   * kept for the runs that made them. It can collide ({@code a}.{@code b_c} and {@code a_b}.{@code c}),
   * which is why every use of it checks the archive's owner comment.
   */
  public static TableRef legacyArchiveTable(TableRef table, String column) {
    return new TableRef(table.schema(), Identifiers.generatedName(PREFIX, table.name(), column));
  }

  /**
   * The archive's timestamp column: {@code archived_at}, unless the archived column or a key
   * column already has that name.
   */
  static String archivedAtColumn(Set<String> taken) {
    if (!taken.contains(ARCHIVED_AT)) {
      return ARCHIVED_AT;
    }
    String candidate = "_zdm_" + ARCHIVED_AT;
    for (int n = 2; taken.contains(candidate); n++) {
      candidate = "_zdm_" + ARCHIVED_AT + "_" + n;
    }
    return candidate;
  }
}
