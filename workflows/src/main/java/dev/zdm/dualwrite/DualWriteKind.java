package dev.zdm.dualwrite;

/** The three changes dual-write makes without breaking the running application. */
public enum DualWriteKind {
  /** The new column is the target name; the old one is dropped at the end. */
  RENAME_COLUMN,
  /** The new column (a temporary name) gets the new type and is renamed into the old name at the end. */
  CHANGE_TYPE,
  /** A new column filled from an expression (or a default), then made NOT NULL without a long lock. */
  ADD_NOT_NULL
}
