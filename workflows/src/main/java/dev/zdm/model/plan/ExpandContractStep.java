package dev.zdm.model.plan;

import dev.zdm.model.Strategy;

import dev.zdm.model.TableRef;

/** Drop a column the expand-contract way: deprecate, wait, approve, archive, drop. */
public record ExpandContractStep(TableRef table, String column, int line) implements PlanStep {
  @Override
  public Strategy strategy() {
    return Strategy.EXPAND_CONTRACT;
  }

  @Override
  public String describe() {
    return "drop column " + table.displayName() + "." + column + " (expand-contract)";
  }
}
