package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.DataChange;
import dev.zdm.analysis.FileContext.HeldLock;
import java.util.Optional;

/**
 * Locks accumulate until COMMIT: a full scan, a rewrite or a sweeping UPDATE/DELETE that runs
 * after an earlier statement of the same transaction took a lock that blocks writes is judged with
 * that lock held, for as long as the long step takes. The NOT VALID + VALIDATE recipe written
 * inside one transaction is the classic case: the validation scan runs under the ACCESS EXCLUSIVE
 * of the ADD CONSTRAINT.
 */
final class HeldLockRule {
  private HeldLockRule() {}

  static ActionVerdict apply(
      Action action, LockFacts facts, ActionVerdict verdict, FileContext context) {
    boolean copy = action.kind() == ActionKind.INSERT || action.kind() == ActionKind.CREATE_TABLE_AS;
    // A copy into a new table still reads the live tables its query selects from.
    if (!context.inTransactionBlock() || (!copy && context.createdHere(action.table()))
        || !isLong(action, facts)) {
      return verdict;
    }
    Optional<HeldLock> held = context.strongestHeldLock();
    if (held.isEmpty()) {
      return verdict;
    }
    HeldLock lock = held.get();
    String blocked = lock.mode().blocksReads() ? "reads and writes" : "writes";
    String heldText = "the transaction still holds " + lock.mode().pgName() + " on "
        + lock.table().displayName() + " (taken at line " + lock.line() + ") through this "
        + longStep(action, facts) + ": " + blocked + " on " + lock.table().displayName()
        + " wait for it until COMMIT (" + context.transactionOrigin() + ")";
    if (!verdict.safe()) {
      return verdict.withReason(verdict.reason() + "; and " + heldText);
    }
    return ActionVerdict.slow(strategy(action),
        "safe on its own, but " + heldText,
        "end the transaction before this statement: " + context.transactionOptOut());
  }

  private static boolean isLong(Action action, LockFacts facts) {
    if (facts.holdsLockForTableSize() || action.kind() == ActionKind.CREATE_TABLE_AS) {
      return true;
    }
    return action.detail() instanceof DataChange change && !change.narrow()
        && change.batchLimit() == null;
  }

  private static String longStep(Action action, LockFacts facts) {
    if (facts.rewrite()) {
      return "rewrite";
    }
    if (action.kind() == ActionKind.INSERT || action.kind() == ActionKind.CREATE_TABLE_AS
        || action.kind() == ActionKind.SELECT) {
      return "query (it reads every row it selects)";
    }
    if (facts.scanUnderLock()) {
      return "full scan";
    }
    return action.kind().displayName();
  }

  private static RecommendedStrategy strategy(Action action) {
    return switch (action.kind()) {
      case UPDATE, DELETE, INSERT, SELECT, CREATE_TABLE_AS -> RecommendedStrategy.PROGRESSIVE;
      case CREATE_INDEX, REINDEX -> RecommendedStrategy.CONCURRENT_INDEX;
      default -> RecommendedStrategy.NOT_VALID_VALIDATE;
    };
  }
}
