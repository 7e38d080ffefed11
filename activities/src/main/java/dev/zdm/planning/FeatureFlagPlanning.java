package dev.zdm.planning;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.plan.FeatureFlagStep;
import dev.zdm.postgres.Identifiers;
import java.util.List;

/** A flag rollout: one phase per percentage, each undone by putting the flag back as it was. */
final class FeatureFlagPlanning implements StepPlanning<FeatureFlagStep> {

  @Override
  public Class<FeatureFlagStep> stepType() {
    return FeatureFlagStep.class;
  }

  @Override
  public List<PlanPhase> phases(FeatureFlagStep step, MigrationOptions options) {
    String undo = "-- flag " + step.flag() + " back to its enabled state and percentage before the rollout";
    String guards = step.guards().isEmpty() ? "" : "  -- after " + step.guards().size() + " guard(s) pass";
    return step.steps().stream()
        .map(percentage -> new PlanPhase("flag-" + percentage,
            List.of("UPDATE _migration_feature_flags SET enabled = true, rollout_percentage = "
                + percentage + " WHERE flag_name = " + Identifiers.literal(step.flag()) + guards),
            step.approveAt().contains(percentage) ? "approval" : null,
            List.of(undo), false))
        .toList();
  }
}
