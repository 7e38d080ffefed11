package dev.zdm.catalog;

import java.util.function.Predicate;

/**
 * What a step itself changes on its table, for the fidelity check: whether a difference in an
 * object (see {@link DescriptionFacts#object}) is the step's own doing (or none of its business)
 * and is left out of the report.
 */
@FunctionalInterface
public interface StepChanges {
  boolean expected(String object, TableDescription before, TableDescription now);

  /** The step changes exactly these objects; a difference anywhere else is reported. */
  static StepChanges objects(Predicate<String> objects) {
    return (object, before, now) -> objects.test(object);
  }

  /**
   * Dropping a column after weeks of waiting: what the rest of the table did meanwhile is not the
   * drop's business, but an index, constraint or view that uses the column now and did not (or
   * differently) when it was deprecated would go with it, and says the column is in use again.
   */
  static StepChanges dropColumn(String column) {
    return (object, before, now) -> !DescriptionFacts.objectsUsing(now, column).contains(object);
  }
}
