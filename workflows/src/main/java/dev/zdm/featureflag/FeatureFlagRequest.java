package dev.zdm.featureflag;

import dev.zdm.model.plan.FeatureFlagStep;
import java.util.Objects;

/** Input of one flag rollout: the migration it belongs to and the rollout as started. */
public record FeatureFlagRequest(String migrationId, FeatureFlagStep rollout) {
  public FeatureFlagRequest {
    Objects.requireNonNull(migrationId, "migrationId");
    Objects.requireNonNull(rollout, "rollout");
  }
}
