package dev.zdm.backfill;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.zdm.model.TableRef;
import java.util.List;
import java.util.Objects;

/**
 * What each batch does to the rows of its key range. The SQL fragments come from the migration
 * (the user's expressions) or from a strategy's own generated SQL, never from a signal; column
 * names in them are as the user wrote them. The copy kinds carry no SQL: the engine builds it from
 * the catalog (the key, the columns both tables have).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = BatchChange.UpdateRows.class, name = "update"),
  @JsonSubTypes.Type(value = BatchChange.DeleteRows.class, name = "delete"),
  @JsonSubTypes.Type(value = BatchChange.CopyRows.class, name = "copy"),
  @JsonSubTypes.Type(value = BatchChange.CompareRows.class, name = "compare"),
})
public sealed interface BatchChange {

  /** A change whose pending rows the migration states as a predicate over the table's columns. */
  sealed interface Predicated extends BatchChange {
    /**
     * The rows that still need this change. Batches touch only these rows (so a redone batch
     * changes nothing twice) and verification passes when no row matches it any more.
     */
    String pending();
  }

  /**
   * {@code UPDATE table SET <set> WHERE <pending>}, batch by batch.
   *
   * @param pending must become false for a row once {@code set} has been applied to it
   */
  record UpdateRows(String set, String pending) implements Predicated {
    public UpdateRows {
      requireText("set", set);
      requireText("pending", pending);
    }
  }

  /** {@code DELETE FROM table WHERE <pending>}, batch by batch. */
  record DeleteRows(String pending) implements Predicated {
    public DeleteRows {
      requireText("where", pending);
    }
  }

  /**
   * {@code INSERT INTO target SELECT ... FROM table} for the rows of the range the target does not
   * have yet, batch by batch. A row is pending while the target has no row with its key or, with
   * {@code refresh}, while a copied column differs.
   *
   * @param columns the columns to copy besides the key; empty: every writable column both tables
   *     have (read from the catalog when the batch runs)
   * @param refresh false: a row already in the target is kept as it is (a sync trigger wrote it,
   *     and its version is newer than the batch's snapshot); true: it is overwritten with the
   *     table's values (an archive, where the table's value is the one to keep)
   */
  record CopyRows(TableRef target, List<String> columns, boolean refresh) implements BatchChange {
    public CopyRows {
      Objects.requireNonNull(target, "target");
      columns = columns == null ? List.of() : List.copyOf(columns);
      columns.forEach(column -> requireText("column", column));
    }
  }

  /**
   * Compares each key range of the table with the same range of {@code target}: row count and a
   * checksum over the columns both have with the same type, in one statement (one snapshot). A
   * range that differs fails the pass, naming the range; nothing is changed. The range after the
   * table's last key is compared too, so rows only the target has are found.
   */
  record CompareRows(TableRef target) implements BatchChange {
    public CompareRows {
      Objects.requireNonNull(target, "target");
    }
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }
}
