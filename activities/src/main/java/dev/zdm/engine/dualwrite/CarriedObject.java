package dev.zdm.engine.dualwrite;

/**
 * One object on the old column that dual-write builds again on the new column under a temporary
 * name before the reads gate, and swaps in under its original name in the cut-over's transaction
 * (the one that drops the old column and the original with it).
 */
sealed interface CarriedObject {
  /** The object's name today, which it gets back at the cut-over. */
  String original();

  /** The name it has on the new column until the cut-over (see {@link CarryOverNames}). */
  String temporary();

  /** As the fidelity check and the messages name it: {@code index orders_email_idx}. */
  String describe();

  /**
   * An index (expression, predicate, INCLUDE, method, opclass, collation kept), built concurrently.
   *
   * @param tail the definition from {@code USING} on, with the old column replaced by the new one
   */
  record Index(String original, String temporary, boolean unique, String tail, String comment)
      implements CarriedObject {
    @Override
    public String describe() {
      return "index " + original;
    }
  }

  /**
   * A UNIQUE constraint: its index is built concurrently as an {@link Index}, and becomes the
   * constraint at the cut-over ({@code ADD CONSTRAINT ... UNIQUE USING INDEX}, no scan).
   *
   * @param deferral {@code ""}, {@code " DEFERRABLE"} or {@code " DEFERRABLE INITIALLY DEFERRED"}
   */
  record Unique(String original, Index index, String deferral, String comment) implements CarriedObject {
    @Override
    public String temporary() {
      return index.temporary();
    }

    @Override
    public String describe() {
      return "constraint " + original;
    }
  }

  /**
   * A CHECK or an outgoing FOREIGN KEY: added NOT VALID (no scan), then validated unless the
   * original was NOT VALID itself.
   *
   * @param definition pg_get_constraintdef on the new column, without NOT VALID
   */
  record Constraint(String original, String temporary, String definition, boolean validate, String comment)
      implements CarriedObject {
    @Override
    public String describe() {
      return "constraint " + original;
    }
  }
}
