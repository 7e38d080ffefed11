package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.ConstraintName;
import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.analysis.ActionDetail.Partition;
import dev.zdm.analysis.ActionDetail.TableDefinition;
import dev.zdm.model.TableRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What earlier statements of the same file established, which changes how later ones are judged:
 * tables created here (empty, unused by the running application), a lock_timeout, an open
 * transaction block, validated NOT NULL checks, indexes built concurrently.
 */
final class FileContext {
  private record NamedConstraint(TableRef table, String name) {}

  private final Set<TableRef> createdTables = new HashSet<>();
  private final Map<NamedConstraint, String> notValidNotNullChecks = new HashMap<>();
  private final Set<String> validatedNotNull = new HashSet<>();
  private final Set<TableRef> validatedChecks = new HashSet<>();
  private final Set<String> concurrentIndexes = new HashSet<>();
  private final Map<TableRef, HeldLock> heldLocks = new LinkedHashMap<>();
  private final FileTransaction transaction;
  private final boolean wholeFileTransaction;
  private final String wholeFileReason;
  private int committingDoBlocks;
  private boolean lockTimeoutSet;
  private int beginLine;
  private int doBlockDepth;

  /** A lock taken earlier in the open transaction, which PostgreSQL holds until it ends. */
  record HeldLock(TableRef table, LockMode mode, int line) {}

  /** A file that statements run in one by one (psql, zdm start). */
  FileContext() {
    this(FileTransaction.PER_STATEMENT, 0);
  }

  /** A file of {@code statementCount} statements run the way {@code transaction} says. */
  FileContext(FileTransaction transaction, int statementCount) {
    this.transaction = transaction;
    this.wholeFileTransaction = transaction.wraps(statementCount);
    this.wholeFileReason = wholeFileTransaction ? transaction.why() : null;
  }

  boolean createdHere(TableRef table) {
    return table != null && createdTables.contains(table);
  }

  boolean lockTimeoutSet() {
    return lockTimeoutSet;
  }

  /** Inside BEGIN ... COMMIT, a file its runner wraps in one transaction, or a DO block. */
  boolean inTransactionBlock() {
    return beginLine > 0 || wholeFileTransaction || doBlockDepth > 0;
  }

  /** Inside a DO block (a function: PostgreSQL refuses CONCURRENTLY and the like there too). */
  boolean inDoBlock() {
    return doBlockDepth > 0;
  }

  /** Why statements here run in a transaction block, for messages; null when they do not. */
  String transactionOrigin() {
    if (doBlockDepth > 0) {
      return "a DO block runs as a function, inside its caller's transaction";
    }
    if (beginLine > 0) {
      return "BEGIN at line " + beginLine + " opened a transaction block";
    }
    return wholeFileReason;
  }

  /**
   * The strongest lock that blocks writes, still held by the open transaction on a table this
   * file did not create (a new table has no users to block), if any.
   */
  java.util.Optional<HeldLock> strongestHeldLock() {
    return heldLocks.values().stream()
        .filter(lock -> lock.mode().blocksWrites() && !createdHere(lock.table()))
        .max(java.util.Comparator.comparing(HeldLock::mode));
  }

  /** Records the locks an action took; they are held until the transaction ends. */
  void took(LockFacts facts, int line) {
    for (TableLock lock : facts.locks()) {
      heldLocks.merge(lock.table(), new HeldLock(lock.table(), lock.mode(), line),
          (old, now) -> now.mode().compareTo(old.mode()) > 0 ? now : old);
    }
  }

  /** A statement ended: outside a transaction block it committed and released its locks. */
  void statementEnded() {
    if (!inTransactionBlock()) {
      heldLocks.clear();
    }
  }

  void enterDoBlock(boolean commits) {
    doBlockDepth++;
    if (commits) {
      committingDoBlocks++;
    }
  }

  void leaveDoBlock() {
    if (committingDoBlocks == doBlockDepth) {
      committingDoBlocks--;
    }
    doBlockDepth--;
  }

  /** Inside a DO block that COMMITs: each batch of its loop is a transaction of its own. */
  boolean inCommittingDoBlock() {
    return committingDoBlocks > 0;
  }

  /** A COMMIT inside a DO block released the locks its batch took. */
  void batchCommitted() {
    heldLocks.clear();
  }

  /** How to run a statement outside this file's transaction, for messages. */
  String transactionOptOut() {
    return beginLine > 0 ? FileTransaction.PER_STATEMENT.optOut() : transaction.optOut();
  }

  boolean hasValidatedNotNull(TableRef table, String column) {
    return validatedNotNull.contains(key(table, column));
  }

  boolean hasValidatedCheck(TableRef table) {
    return validatedChecks.contains(table);
  }

  boolean builtConcurrently(String index) {
    return concurrentIndexes.contains(index);
  }

  /** Records what the action establishes, after it has been judged. */
  void after(Action action, ColumnTypes columnTypes, int line) {
    TableRef table = action.table();
    switch (action.kind()) {
      case CREATE_TABLE -> {
        createdTables.add(table);
        columnTypes.forgetTable(table);
        TableDefinition definition = (TableDefinition) action.detail();
        for (ColumnDefinition column : definition.columns()) {
          columnTypes.remember(table, column.name(), column.type());
          columnTypes.rememberNotNull(table, column.name(), column.notNull());
        }
        columnTypes.rememberPartitioned(table, definition.partitioned());
      }
      case CREATE_TABLE_AS, CREATE_PARTITION -> createdTables.add(table);
      case ADD_COLUMN -> {
        ColumnDefinition column = (ColumnDefinition) action.detail();
        columnTypes.remember(table, column.name(), column.type());
        columnTypes.rememberNotNull(table, column.name(), column.notNull());
      }
      case SET_NOT_NULL -> columnTypes.rememberNotNull(table, action.column(), true);
      case DROP_COLUMN -> columnTypes.forgetColumn(table, action.column());
      case DROP_NOT_NULL -> columnTypes.rememberNotNull(table, action.column(), false);
      case RENAME_COLUMN -> columnTypes.rename(table, action.column(),
          ((ActionDetail.NewName) action.detail()).newName());
      case ALTER_COLUMN_TYPE ->
          columnTypes.remember(table, action.column(),
              ((ActionDetail.TypeChange) action.detail()).newType());
      case ADD_CONSTRAINT -> {
        ConstraintDefinition constraint = (ConstraintDefinition) action.detail();
        if (constraint.type() == ConstraintDefinition.Type.CHECK) {
          if (constraint.notValid()) {
            if (constraint.notNullColumn() != null && constraint.name() != null) {
              notValidNotNullChecks.put(
                  new NamedConstraint(table, constraint.name()), constraint.notNullColumn());
            }
          } else {
            validatedChecks.add(table);
            if (constraint.notNullColumn() != null) {
              validatedNotNull.add(key(table, constraint.notNullColumn()));
            }
          }
        }
      }
      case VALIDATE_CONSTRAINT -> {
        String name = ((ConstraintName) action.detail()).name();
        String column = notValidNotNullChecks.remove(new NamedConstraint(table, name));
        validatedChecks.add(table);
        if (column != null) {
          validatedNotNull.add(key(table, column));
        }
      }
      case CREATE_INDEX_CONCURRENTLY, CREATE_INDEX, CREATE_INDEX_ON_ONLY -> {
        String name = ((Index) action.detail()).name();
        if (name != null && action.kind() == ActionKind.CREATE_INDEX_CONCURRENTLY) {
          concurrentIndexes.add(name);
        }
        if (name != null && createdHere(table)) {
          // Dropping an index of a table no one uses yet blocks no one.
          createdTables.add(new TableRef(table.schema(), name));
        }
      }
      case ATTACH_PARTITION -> createdTables.remove(((Partition) action.detail()).other());
      case SET_SESSION -> {
        ActionDetail.Setting setting = (ActionDetail.Setting) action.detail();
        String name = setting.name().toLowerCase(java.util.Locale.ROOT);
        String value = setting.value().replace("'", "").replaceAll("(?i)^zone\\s+", "").strip();
        if (name.equals("timezone") || name.equals("time")) {
          columnTypes.sessionInUtc(value.equalsIgnoreCase("utc") || value.equalsIgnoreCase("etc/utc")
              || value.equalsIgnoreCase("gmt") || value.equals("0"));
        }
      }
      case SET_LOCK_TIMEOUT -> lockTimeoutSet = !isZero(((ActionDetail.Setting) action.detail()).value());
      // A dropped table's lock blocks no one: its queries fail (judged as DROP TABLE) instead.
      case DROP_TABLE -> heldLocks.remove(table);
      case TRANSACTION_BEGIN -> beginLine = Math.max(1, line);
      case TRANSACTION_END -> {
        beginLine = 0;
        heldLocks.clear();
      }
      case RENAME_TABLE -> {
        columnTypes.renameTable(table, new TableRef(table.schema(),
            ((ActionDetail.NewName) action.detail()).newName()));
        if (createdTables.remove(table)) {
          createdTables.add(new TableRef(table.schema(),
              ((ActionDetail.NewName) action.detail()).newName()));
        }
      }
      default -> {}
    }
  }

  private static boolean isZero(String value) {
    String v = value.replace("'", "").strip();
    return v.equals("0") || v.equalsIgnoreCase("default");
  }

  private static String key(TableRef table, String column) {
    return table + "\u0000" + column;
  }
}
