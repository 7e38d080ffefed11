package dev.zdm.planning;

import java.util.List;
import java.util.stream.Stream;

/**
 * One phase of a plan step as shown by {@code zdm plan}.
 *
 * @param sql the statements the phase runs (empty for a pure gate)
 * @param gate what the phase waits for before it runs ({@code deployment: ...},
 *     {@code approval: ...}, {@code time: ...}), or null
 * @param compensation the statements that undo the phase on rollback (empty when nothing to undo)
 * @param irreversible true when the phase changes the database and has no undo: a rollback after
 *     it leaves its change in place
 */
public record PlanPhase(
    String name, List<String> sql, String gate, List<String> compensation, boolean irreversible) {
  /** What {@code zdm plan} says of a phase a rollback cannot undo. */
  public static final String IRREVERSIBLE = "irreversible: a rollback after this step leaves it in place";

  public PlanPhase {
    sql = List.copyOf(sql);
    compensation = List.copyOf(compensation);
    if (irreversible && !compensation.isEmpty()) {
      throw new IllegalArgumentException("phase " + name + " has an undo, so it is not irreversible");
    }
  }

  public PlanPhase(String name, List<String> sql, String gate, List<String> compensation) {
    this(name, sql, gate, compensation, false);
  }

  /** Before a point of no return: the table compared with its description (decision 0500). */
  static PlanPhase fidelityCheck(String expected) {
    return new PlanPhase("fidelity check", List.of("compare the table's catalog description with the one"
        + " stored at the step's start (_migration_table_snapshots): " + expected + "; any other"
        + " difference stops here, undone"), null, List.of());
  }

  /** The phases of {@code first}, then those of {@code then}. */
  static List<PlanPhase> concat(List<PlanPhase> first, List<PlanPhase> then) {
    return Stream.concat(first.stream(), then.stream()).toList();
  }
}
