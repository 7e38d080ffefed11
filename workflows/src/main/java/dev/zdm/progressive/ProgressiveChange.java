package dev.zdm.progressive;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What a progressive run changes: rows in batches, an index built concurrently, or a constraint validated apart. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ProgressiveChange.BatchedUpdate.class, name = "update"),
  @JsonSubTypes.Type(value = ProgressiveChange.BatchedDelete.class, name = "delete"),
  @JsonSubTypes.Type(value = ProgressiveChange.IndexBuild.class, name = "index"),
  @JsonSubTypes.Type(value = ProgressiveChange.ValidatedConstraint.class, name = "constraint"),
})
public sealed interface ProgressiveChange {

  /**
   * {@code UPDATE table SET <set> WHERE <where>} in primary-key batches.
   *
   * @param where must select only rows that still need the change (e.g. {@code status IS NULL}):
   *     a redone batch then changes nothing twice, and verification checks no row matches it
   */
  record BatchedUpdate(String set, String where) implements ProgressiveChange {}

  /** {@code DELETE FROM table WHERE <where>} in primary-key batches. */
  record BatchedDelete(String where) implements ProgressiveChange {}

  /**
   * {@code CREATE [UNIQUE] INDEX CONCURRENTLY name ON table <definition> [WHERE <where>]}.
   *
   * @param definition what follows the table name, e.g. {@code (user_id, created_at)} or
   *     {@code USING gin (doc)}
   * @param partialFirstWhere the guide's option: build the index for these rows first (e.g. the
   *     last 30 days), check that no session queues for a lock, then build the full index
   * @param attachAs NONE, or attach the unique index as a UNIQUE / PRIMARY KEY constraint
   * @param constraintName the constraint's name when attached
   */
  record IndexBuild(
      String name,
      String definition,
      boolean unique,
      String where,
      String partialFirstWhere,
      Attach attachAs,
      String constraintName)
      implements ProgressiveChange {
    public IndexBuild {
      attachAs = attachAs == null ? Attach.NONE : attachAs;
      if (attachAs != Attach.NONE && (!unique || constraintName == null || where != null)) {
        throw new IllegalArgumentException(
            "attaching as " + attachAs + " needs a unique, non-partial index and a constraint name");
      }
    }

    /** The partial index built first, when {@code partialFirstWhere} is set. */
    public String partialName() {
      return name + "_zdm_partial";
    }
  }

  /** How a unique index ends up. */
  enum Attach {
    NONE,
    UNIQUE,
    PRIMARY_KEY
  }

  /**
   * {@code ALTER TABLE table ADD CONSTRAINT name <definition> NOT VALID}, then VALIDATE: the scan
   * runs without blocking writes.
   *
   * @param definition e.g. {@code CHECK (amount >= 0)} or {@code FOREIGN KEY (user_id) REFERENCES users (id)}
   */
  record ValidatedConstraint(String name, String definition) implements ProgressiveChange {}
}
