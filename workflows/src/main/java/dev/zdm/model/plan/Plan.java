package dev.zdm.model.plan;

import java.util.List;

/**
 * A migration turned into steps the parent workflow runs in order: strategy steps become child
 * workflows, direct steps run through the DDL runner.
 *
 * @param warnings things the planner wants the user to know that do not stop the run
 */
public record Plan(String migrationId, List<PlanStep> steps, List<String> warnings) {
  public Plan {
    steps = List.copyOf(steps);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }
}
