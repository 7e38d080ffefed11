package dev.zdm.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Flyway's own rule for a file that contains statements PostgreSQL refuses inside a transaction
 * (CREATE INDEX CONCURRENTLY, VACUUM, ...): a file of only such statements runs without a
 * transaction; a file that mixes them with others is refused ("Detected both transactional and
 * non-transactional statements within the same migration") unless Flyway's {@code mixed} is set.
 */
final class FlywayNonTransactional {
  private FlywayNonTransactional() {}

  /**
   * The transaction the file really runs in.
   *
   * @throws InvalidSqlException when Flyway would refuse the file
   */
  static FileTransaction apply(FileTransaction transaction, MigrationScript script,
      List<List<Action>> classified, LockRules rules) {
    if (!transaction.refusesMixed() || !transaction.wholeFile()) {
      return transaction;
    }
    List<Integer> nonTransactional = new ArrayList<>();
    for (int i = 0; i < classified.size(); i++) {
      boolean refused = classified.get(i).stream()
          .anyMatch(a -> !(a.detail() instanceof ActionDetail.Body) && !rules.facts(a).transactional());
      if (refused) {
        nonTransactional.add(i);
      }
    }
    if (nonTransactional.isEmpty()) {
      return transaction;
    }
    if (nonTransactional.size() == classified.size()) {
      return new FileTransaction(transaction.runner(), false, false, true);
    }
    int first = nonTransactional.get(0);
    throw new InvalidSqlException(script.statements().get(first).line(),
        classified.get(first).get(0).kind().displayName() + " cannot run in a transaction, and "
            + transaction.runner() + " refuses a migration that mixes it with statements that do"
            + " (with mixed=true it would run the whole file without a transaction): put it in a"
            + " migration of its own");
  }
}
