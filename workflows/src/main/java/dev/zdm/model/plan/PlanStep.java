package dev.zdm.model.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** One step of a {@link Plan}: either SQL run as it is, or a strategy run as a child workflow. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = DirectStep.class, name = "direct"),
  @JsonSubTypes.Type(value = ExpandContractStep.class, name = "expand-contract"),
})
public sealed interface PlanStep permits DirectStep, ExpandContractStep {

  /** A short human description, e.g. "drop column users.legacy_field (expand-contract)". */
  String describe();
}
