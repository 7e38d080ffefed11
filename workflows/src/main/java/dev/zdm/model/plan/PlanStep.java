package dev.zdm.model.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;

/** One step of a {@link Plan}: either SQL run as it is, or a strategy run as a child workflow. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = DirectStep.class, name = "direct"),
  @JsonSubTypes.Type(value = ExpandContractStep.class, name = "expand-contract"),
  @JsonSubTypes.Type(value = DualWriteStep.class, name = "dual-write"),
  @JsonSubTypes.Type(value = ProgressiveDmlStep.class, name = "progressive"),
  @JsonSubTypes.Type(value = ConcurrentIndexStep.class, name = "concurrent-index"),
  @JsonSubTypes.Type(value = ConstraintStep.class, name = "not-valid-validate"),
  @JsonSubTypes.Type(value = BlueGreenStep.class, name = "blue-green"),
  @JsonSubTypes.Type(value = FeatureFlagStep.class, name = "feature-flag"),
  @JsonSubTypes.Type(value = DropTableStep.class, name = "drop-table"),
})
public sealed interface PlanStep
    permits DirectStep,
        ExpandContractStep,
        DualWriteStep,
        ProgressiveDmlStep,
        ConcurrentIndexStep,
        ConstraintStep,
        BlueGreenStep,
        FeatureFlagStep,
        DropTableStep {

  /** The strategy workflow that runs this step; null for a direct step. */
  Strategy strategy();

  /** The table the step changes; null for a direct step. */
  TableRef table();

  /** A short human description, e.g. "drop column users.legacy_field (expand-contract)". */
  String describe();
}
