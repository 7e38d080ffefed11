package dev.zdm.dualwrite;

/** The changes dual-write makes without breaking the running application. */
public enum DualWriteKind {
  /** The new column is the target name; the old one is dropped at the end. */
  RENAME_COLUMN,
  /** The new column (a temporary name) gets the new type and is renamed into the old name at the end. */
  CHANGE_TYPE,
  /** A new column filled from an expression (or a default), then made NOT NULL without a long lock. */
  ADD_NOT_NULL,
  /**
   * A new column computed from other columns of the same row ({@code forward}, no placeholders),
   * then NOT NULL. Its trigger recomputes it on every write that does not set it, and stays as part
   * of the schema (docs/decisions/0550): no deployment gate, nothing dropped.
   */
  DERIVED_COLUMN
}
