package dev.zdm.analysis;

import dev.zdm.model.TableRef;
import java.util.Optional;

/** Where the current type of a column comes from when the migrations read so far do not say. */
@FunctionalInterface
public interface ColumnTypeSource {
  /** Nothing known: the analysis without a database. */
  ColumnTypeSource NONE = (table, column) -> Optional.empty();

  /** The column's type as PostgreSQL spells it (e.g. {@code character varying(20)}), if known. */
  Optional<String> typeOf(TableRef table, String column);

  /** True when the column is known to be NOT NULL. */
  default boolean isNotNull(TableRef table, String column) {
    return false;
  }

  /** Whether an index covers the column, when known. */
  default Optional<Boolean> isIndexed(TableRef table, String column) {
    return Optional.empty();
  }

  /** Whether the table is partitioned (PARTITION BY), when known. */
  default Optional<Boolean> isPartitioned(TableRef table) {
    return Optional.empty();
  }
}
