package dev.zdm.model.plan;

import dev.zdm.model.Strategy;

import dev.zdm.model.TableRef;
import java.util.List;

/**
 * Restructure a table by building a green copy: create it, apply the changes to it, sync with
 * triggers for INSERT, UPDATE and DELETE, copy in batches, verify, switch both names in one short
 * transaction with lock_timeout, keep the blue table with a reverse sync until approval, drop.
 *
 * @param greenChanges the statements to apply to the green copy, written against the table's name
 */
public record BlueGreenStep(TableRef table, List<String> greenChanges, int line)
    implements PlanStep {
  public BlueGreenStep {
    greenChanges = List.copyOf(greenChanges);
  }

  @Override
  public Strategy strategy() {
    return Strategy.BLUE_GREEN;
  }

  @Override
  public String describe() {
    return "restructure " + table.displayName() + " through a green copy (blue-green)";
  }
}
