package dev.zdm.planning;

import java.util.List;

/**
 * One phase of a plan step as shown by {@code zdm plan}.
 *
 * @param sql the statements the phase runs (empty for a pure gate)
 * @param gate what the phase waits for before it runs ({@code deployment: ...},
 *     {@code approval: ...}, {@code time: ...}), or null
 * @param compensation the statements that undo the phase on rollback (empty when nothing to undo)
 */
public record PlanPhase(String name, List<String> sql, String gate, List<String> compensation) {
  public PlanPhase {
    sql = List.copyOf(sql);
    compensation = List.copyOf(compensation);
  }
}
