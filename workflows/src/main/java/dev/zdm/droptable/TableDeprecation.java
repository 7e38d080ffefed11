package dev.zdm.droptable;

/**
 * A table's deprecation as the ledger holds it: the removal date comes from here when a run is
 * started again after the Temporal server lost its state, not from a new clock reading.
 */
public record TableDeprecation(long deprecatedAtEpochMillis, long removalDateEpochMillis, State state) {

  public enum State {
    /** {@code DROP TABLE IF EXISTS} of a table that is not there: nothing to do. */
    ABSENT,
    /** Deprecated (perhaps already moved aside by an earlier run): the run goes on. */
    DEPRECATED,
    /** This migration already dropped it. */
    REMOVED
  }
}
