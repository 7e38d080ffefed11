package dev.zdm.backfill;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What each batch does to the rows of its key range. The SQL fragments come from the migration
 * (the user's expressions) or from a strategy's own generated SQL, never from a signal; column
 * names in them are as the user wrote them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = BatchChange.UpdateRows.class, name = "update"),
  @JsonSubTypes.Type(value = BatchChange.DeleteRows.class, name = "delete"),
})
public sealed interface BatchChange {

  /**
   * The rows that still need this change. Batches touch only these rows (so a redone batch changes
   * nothing twice) and verification passes when no row matches it any more.
   */
  String pending();

  /**
   * {@code UPDATE table SET <set> WHERE <pending>}, batch by batch.
   *
   * @param pending must become false for a row once {@code set} has been applied to it
   */
  record UpdateRows(String set, String pending) implements BatchChange {
    public UpdateRows {
      requireText("set", set);
      requireText("pending", pending);
    }
  }

  /** {@code DELETE FROM table WHERE <pending>}, batch by batch. */
  record DeleteRows(String pending) implements BatchChange {
    public DeleteRows {
      requireText("where", pending);
    }
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }
}
