package dev.zdm.analysis;

import static dev.zdm.analysis.RecommendedStrategy.BLUE_GREEN;
import static dev.zdm.analysis.RecommendedStrategy.CONCURRENT_INDEX;
import static dev.zdm.analysis.RecommendedStrategy.DUAL_WRITE;
import static dev.zdm.analysis.RecommendedStrategy.EXPAND_CONTRACT;
import static dev.zdm.analysis.RecommendedStrategy.NOT_VALID_VALIDATE;
import static dev.zdm.analysis.RecommendedStrategy.PROGRESSIVE;

import dev.zdm.analysis.ActionDetail.DataChange;
import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.analysis.ActionDetail.Partition;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;

/**
 * Decides whether an action is safe on a live table with a running application, and which
 * zero-downtime strategy replaces it. Two hazards count: a lock that blocks reads or writes for a
 * time that grows with the table (rewrite, scan, index build, mass DML), and a change the running
 * application cannot survive (drop, rename). A brief lock alone is safe: zdm runs every statement
 * with lock_timeout (docs/decisions/0102-verdict-rules.md).
 */
final class StatementJudge {
  /**
   * The most rows a single bounded UPDATE/DELETE ({@code id IN (SELECT id ... LIMIT n)}) may
   * change and still count as one short batch: zdm's own progressive batches default to 1,000.
   */
  static final long MAX_BATCH_ROWS = 10_000;

  private final ColumnTypes columnTypes;

  StatementJudge(ColumnTypes columnTypes) {
    this.columnTypes = columnTypes;
  }

  ActionVerdict judge(Action action, LockFacts facts, FileContext context) {
    if (!facts.transactional() && context.inTransactionBlock()) {
      return ActionVerdict.unsafe(RecommendedStrategy.NONE.dominant(strategyWithoutTransaction(action)),
          "PostgreSQL refuses " + action.kind().displayName()
              + " inside a transaction block (BEGIN ... COMMIT or a DO block): the migration fails here",
          "run it on its own, outside BEGIN ... COMMIT");
    }
    if (context.createdHere(action.table())) {
      return ActionVerdict.safe("table " + action.table().displayName()
          + " is created earlier in this file: it is empty and no application uses it yet");
    }
    ActionVerdict verdict = byKind(action, facts, context);
    if (verdict.safe() && facts.strongestMode().blocksWrites() && !context.lockTimeoutSet()) {
      return verdict.withReason(verdict.reason() + "; the " + facts.strongestMode().pgName()
          + " is brief, but with no lock_timeout set before it, it queues behind long queries and"
          + " everything queues behind it (zdm runs it with lock_timeout)");
    }
    return verdict;
  }

  private static RecommendedStrategy strategyWithoutTransaction(Action action) {
    return switch (action.kind()) {
      case CREATE_INDEX_CONCURRENTLY, REINDEX_CONCURRENTLY, DROP_INDEX_CONCURRENTLY ->
          CONCURRENT_INDEX;
      default -> RecommendedStrategy.NONE;
    };
  }

  private ActionVerdict byKind(Action action, LockFacts facts, FileContext context) {
    TableRef table = action.table();
    return switch (action.kind()) {
      case ADD_COLUMN -> addColumn(table, (ColumnDefinition) action.detail());
      case DROP_COLUMN -> ActionVerdict.unsafe(EXPAND_CONTRACT,
          "the running application still reads or writes " + action.column()
              + ": its queries fail once the column is gone (the lock itself is brief)",
          "deprecate it, deploy code that no longer uses it, then drop it: zdm start FILE"
              + " (expand-contract)");
      case RENAME_COLUMN -> ActionVerdict.unsafe(DUAL_WRITE,
          "the rename is instant but the running application still uses the name "
              + action.column() + " and fails until it is redeployed",
          "add the new column, keep both in sync with a trigger, backfill in batches, switch"
              + " reads and writes, then drop the old one: zdm plan FILE (dual-write)");
      case RENAME_TABLE, SET_SCHEMA -> ActionVerdict.unsafe(EXPAND_CONTRACT,
          "the running application still uses the name " + table.displayName()
              + " and fails until it is redeployed",
          "deploy code that accepts both names (for example a view under the old name), then"
              + " rename, then drop the view");
      case ALTER_COLUMN_TYPE -> alterType(action, facts);
      case SET_NOT_NULL -> columnTypes.isNotNull(table, action.column())
          ? ActionVerdict.safe("the column is NOT NULL already: nothing to check, no scan")
          : context.hasValidatedNotNull(table, action.column())
          ? ActionVerdict.safe("a validated CHECK (" + action.column() + " IS NOT NULL) exists,"
              + " so PostgreSQL skips the full-table scan")
          : ActionVerdict.slow(NOT_VALID_VALIDATE,
              "scans the whole table for NULLs while holding ACCESS EXCLUSIVE: reads and writes"
                  + " wait for the scan",
              SaferSql.setNotNull(table, action.column()));
      case ADD_CONSTRAINT -> addConstraint(table, (ConstraintDefinition) action.detail(), context);
      case VALIDATE_CONSTRAINT -> ActionVerdict.safe(
          "validates under SHARE UPDATE EXCLUSIVE: reads and writes continue during the scan");
      case CREATE_INDEX -> ActionVerdict.slow(CONCURRENT_INDEX,
          "builds the index under a SHARE lock: every write to " + table.displayName()
              + " waits for the whole build",
          SaferSql.concurrentIndex((Index) action.detail()));
      case REINDEX -> ActionVerdict.slow(CONCURRENT_INDEX,
          "rebuilds under a SHARE lock on the table (writes wait) and ACCESS EXCLUSIVE on the"
              + " index (queries using it wait)",
          "REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction block");
      case REFRESH_MATERIALIZED_VIEW -> ActionVerdict.slow(CONCURRENT_INDEX,
          "recomputes the view under ACCESS EXCLUSIVE: every read of it waits",
          "REFRESH MATERIALIZED VIEW CONCURRENTLY " + SaferSql.table(table)
              + ";  -- needs a unique index on the view");
      case DROP_INDEX -> ActionVerdict.unsafe(CONCURRENT_INDEX,
          "takes ACCESS EXCLUSIVE on the index's table: it waits for every running query on the"
              + " table, and every query after it (reads too) queues behind it",
          "DROP INDEX CONCURRENTLY " + (action.detail() instanceof Index index
              ? index.definition() : "...") + ";  -- outside a transaction block");
      case CREATE_INDEX_ON_ONLY -> columnTypes.isPartitioned(table).orElse(true)
          ? ActionVerdict.safe("ON ONLY a partitioned table: creates an invalid index on the parent"
              + " alone, nothing is built; build each partition's index CONCURRENTLY and ALTER"
              + " INDEX ... ATTACH PARTITION it (the parent's index turns valid with the last one)")
          : ActionVerdict.slow(CONCURRENT_INDEX,
              table.displayName() + " is not partitioned, so ON ONLY builds the whole index under"
                  + " a SHARE lock: every write waits for the build",
              SaferSql.concurrentIndex((Index) action.detail()));
      case DROP_TABLE -> ActionVerdict.unsafe(EXPAND_CONTRACT,
          "drops " + table.displayName() + " and its data while the running application may still"
              + " use it",
          "rename it aside once no deployed code uses it, keep it until you are sure, then drop");
      case TRUNCATE -> ActionVerdict.unsafe(PROGRESSIVE,
          "removes every row under ACCESS EXCLUSIVE while the running application may still use"
              + " them",
          "DELETE FROM " + SaferSql.table(table) + " WHERE id >= :from AND id < :to;  -- in"
              + " batches (zdm plan: progressive)");
      case VACUUM_FULL, CLUSTER, SET_TABLESPACE, SET_LOGGED, SET_UNLOGGED ->
          ActionVerdict.slow(BLUE_GREEN,
              "rewrites the whole table under ACCESS EXCLUSIVE: reads and writes wait for the copy",
              "build a copy beside it and switch (zdm plan: blue-green), or pg_repack");
      case ATTACH_PARTITION -> attach(table, (Partition) action.detail(), context);
      case UPDATE, DELETE -> dataChange(action, context);
      case DO_BLOCK -> ActionVerdict.safe("a DO block; the statements found in it are judged on"
          + " their own");
      case ENUM_ADD_VALUE -> ActionVerdict.safe("changes only the type's catalog entry; the new"
          + " value cannot be used before this transaction commits");
      case CREATE_INDEX_CONCURRENTLY -> ActionVerdict.safe("builds the index without blocking"
          + " reads or writes (if it fails it leaves an INVALID index to drop before a retry)");
      case LOCK_TABLE -> ActionVerdict.safe("an explicit " + facts.mainMode().pgName()
          + ", held until commit: keep the transaction short");
      default -> ActionVerdict.safe(safeReason(facts));
    };
  }

  private static String safeReason(LockFacts facts) {
    LockMode mode = facts.strongestMode();
    if (mode == LockMode.NONE || !mode.blocksWrites()) {
      return "does not block the application's reads or writes";
    }
    return "changes the catalog only, under a brief " + mode.pgName();
  }

  private static ActionVerdict addColumn(TableRef table, ColumnDefinition column) {
    if (column.notNull() && column.defaultExpression() == null && !column.identity()
        && !column.generatedStored()) {
      return ActionVerdict.unsafe(DUAL_WRITE,
          "a NOT NULL column without a default fails on a table that has rows, and the running"
              + " application's inserts fail once it exists",
          SaferSql.addColumnThenBackfill(table, column));
    }
    if (column.identity() || column.generatedStored()) {
      return ActionVerdict.slow(BLUE_GREEN,
          "computes a value for every row, rewriting the table under ACCESS EXCLUSIVE ("
              + (column.identity() ? "identity/serial" : "stored generated") + " column)",
          "build a copy with the new column beside the table and switch (zdm plan: blue-green)");
    }
    if (column.volatileDefault()) {
      return ActionVerdict.slow(PROGRESSIVE,
          "the default " + column.defaultExpression() + " is volatile (evaluated per row), so"
              + " the table is rewritten under ACCESS EXCLUSIVE",
          SaferSql.addColumnThenBackfill(table, column));
    }
    if (column.indexed()) {
      return ActionVerdict.slow(CONCURRENT_INDEX,
          "builds a unique index under ACCESS EXCLUSIVE: reads and writes wait for the build",
          "add the column, then CREATE UNIQUE INDEX CONCURRENTLY and ADD CONSTRAINT ... USING"
              + " INDEX");
    }
    if (column.validatesReference()) {
      return ActionVerdict.slow(NOT_VALID_VALIDATE,
          "every row gets the default " + column.defaultExpression() + ", so the REFERENCES "
              + column.referencedTable().displayName() + " is checked against every row under"
              + " ACCESS EXCLUSIVE (a column added without a default skips that check)",
          "add the column without REFERENCES, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID"
              + " and VALIDATE CONSTRAINT");
    }
    if (column.hasCheck()) {
      return ActionVerdict.slow(NOT_VALID_VALIDATE,
          "checks every row under ACCESS EXCLUSIVE for the inline CHECK",
          "add the column, then ADD CONSTRAINT ... CHECK (...) NOT VALID and VALIDATE CONSTRAINT");
    }
    return ActionVerdict.safe("adds the column in the catalog only (a constant default is stored"
        + " once, no rewrite since PostgreSQL 11)");
  }

  private ActionVerdict alterType(Action action, LockFacts facts) {
    ActionDetail.TypeChange typeChange = (ActionDetail.TypeChange) action.detail();
    if (!facts.rewrite()
        && columnTypes.rebuildsIndexes(action.table(), action.column(), typeChange)) {
      String column = action.table().displayName() + "." + action.column();
      java.util.Optional<Boolean> indexed = columnTypes.isIndexed(action.table(), action.column());
      String why = "the table is not rewritten, but the indexes on " + column + " are rebuilt"
          + " (their operator class changes), reading the whole table under ACCESS EXCLUSIVE";
      if (indexed.isEmpty()) {
        return ActionVerdict.depends(DUAL_WRITE, "the indexes on " + column + ": safe if no"
            + " index covers it; " + why, "depends on whether an index covers " + column + ": "
            + why, "drop those indexes and rebuild them CONCURRENTLY after, or dual-write");
      }
      if (indexed.get()) {
        return ActionVerdict.slow(DUAL_WRITE, why,
            "drop those indexes and rebuild them CONCURRENTLY after, or dual-write");
      }
    }
    if (!facts.rewrite()) {
      return ActionVerdict.safe("binary-coercible change from "
          + columnTypes.typeOf(action.table(), action.column()) + ": catalog only, no rewrite"
          + (columnTypes.sessionInUtc() ? " (the session TimeZone is UTC)" : ""));
    }
    String known = columnTypes.typeOf(action.table(), action.column());
    ActionDetail.TypeChange change = (ActionDetail.TypeChange) action.detail();
    String coercibleFrom = change.using() == null ? ColumnTypes.coercibleFrom(change.newType()) : null;
    if (known == null && coercibleFrom != null) {
      String column = action.table().displayName() + "." + action.column();
      return ActionVerdict.depends(DUAL_WRITE,
          "the current type of " + column + ": safe if it is " + coercibleFrom
              + " (catalog only, no rewrite); any other type rewrites the table (dual-write)",
          "depends on the current type of " + column + ", which zdm does not know: safe if it is "
              + coercibleFrom + "; otherwise it rewrites the table and its indexes under ACCESS"
              + " EXCLUSIVE (pass --schema or --database-url to decide)",
          "if it rewrites: add a column of the new type, sync it with a trigger, backfill in"
              + " batches, switch, drop the old one: zdm plan FILE (dual-write)");
    }
    if (known != null && change.using() == null && !columnTypes.sessionInUtc()
        && timeZoneDependent(known, change.newType())) {
      String column = action.table().displayName() + "." + action.column();
      return ActionVerdict.depends(DUAL_WRITE,
          "the session TimeZone of the migration: " + known + " to " + change.newType()
              + " of " + column + " is catalog only when it is UTC (PostgreSQL 12+), otherwise"
              + " the table is rewritten (dual-write)",
          "depends on the session TimeZone: PostgreSQL skips the rewrite of " + column
              + " only when it is UTC; otherwise it rewrites the table under ACCESS EXCLUSIVE",
          "SET TimeZone = 'UTC' before it (same session), or dual-write: zdm plan FILE");
    }
    String basis = known == null
        ? " (zdm does not know the current type of " + action.column()
            + "; a varchar widening would not rewrite: pass --database-url to check)"
        : " (from " + known + ")";
    return ActionVerdict.unsafe(DUAL_WRITE,
        "rewrites the table and its indexes under ACCESS EXCLUSIVE: reads and writes wait for"
            + " the copy" + basis,
        "add a column of the new type, sync it with a trigger, backfill in batches, switch, drop"
            + " the old one: zdm plan FILE (dual-write)");
  }

  /** timestamp <-> timestamptz: PostgreSQL 12+ rewrites only when the session is not in UTC. */
  private static boolean timeZoneDependent(String from, String to) {
    String target = ColumnTypes.normalize(to);
    String a = from.replaceAll("\\(\\d+\\)", "");
    String b = target.replaceAll("\\(\\d+\\)", "");
    boolean samePrecision = from.replaceAll("[^\\d]", "").equals(target.replaceAll("[^\\d]", ""));
    return samePrecision && (a.equals("timestamp") && b.equals("timestamptz")
        || a.equals("timestamptz") && b.equals("timestamp"));
  }

  private static ActionVerdict addConstraint(
      TableRef table, ConstraintDefinition constraint, FileContext context) {
    switch (constraint.type()) {
      case CHECK, FOREIGN_KEY -> {
        if (constraint.notValid()) {
          return ActionVerdict.safe("NOT VALID: existing rows are not checked now; VALIDATE"
              + " CONSTRAINT later scans without blocking writes");
        }
        String lock = constraint.type() == ConstraintDefinition.Type.CHECK
            ? "ACCESS EXCLUSIVE (reads and writes wait)"
            : "SHARE ROW EXCLUSIVE on both tables (writes to both wait)";
        return ActionVerdict.slow(NOT_VALID_VALIDATE,
            "checks every existing row while holding " + lock,
            SaferSql.notValidThenValidate(table, constraint));
      }
      case UNIQUE, PRIMARY_KEY -> {
        if (constraint.usingIndex() != null) {
          String built = context.builtConcurrently(constraint.usingIndex())
              ? " built CONCURRENTLY earlier in this file" : "";
          return ActionVerdict.safe("attaches the existing index "
              + Identifiers.quote(constraint.usingIndex()) + built + " under a brief lock"
              + (constraint.type() == ConstraintDefinition.Type.PRIMARY_KEY
                  ? " (its columns must already be NOT NULL, or PostgreSQL scans to set it)" : ""));
        }
        return ActionVerdict.slow(CONCURRENT_INDEX,
            "builds the unique index under ACCESS EXCLUSIVE: reads and writes wait for the build",
            SaferSql.uniqueUsingIndex(table, constraint));
      }
      default -> {
        return ActionVerdict.slow(BLUE_GREEN,
            "builds the exclusion index under ACCESS EXCLUSIVE and has no concurrent form",
            "build a copy with the constraint beside the table and switch (zdm plan: blue-green)");
      }
    }
  }

  private static ActionVerdict attach(TableRef parent, Partition partition, FileContext context) {
    if (context.createdHere(partition.other()) || context.hasValidatedCheck(partition.other())) {
      return ActionVerdict.safe("SHARE UPDATE EXCLUSIVE on " + parent.displayName()
          + "; the partition is new or has a validated CHECK, so no long scan");
    }
    return ActionVerdict.slow(NOT_VALID_VALIDATE,
        "scans " + partition.other().displayName() + " under ACCESS EXCLUSIVE to prove every row"
            + " fits the partition bound",
        "ALTER TABLE " + SaferSql.table(partition.other()) + " ADD CONSTRAINT ... CHECK (<bound>)"
            + " NOT VALID; ... VALIDATE CONSTRAINT ...; then ATTACH PARTITION (no scan)");
  }

  private static ActionVerdict dataChange(Action action, FileContext context) {
    DataChange change = (DataChange) action.detail();
    if (change.narrow()) {
      return ActionVerdict.safe("changes rows picked by key: few rows, short row locks");
    }
    if (change.batchLimit() != null && change.batchLimit() <= MAX_BATCH_ROWS) {
      return ActionVerdict.safe("changes at most " + change.batchLimit() + " rows (keys picked by"
          + " a subquery with LIMIT): one short batch of row locks");
    }
    if (context.inCommittingDoBlock() && (change.keyRange() || change.batchLimit() != null)) {
      return ActionVerdict.safe("one batch (a key range or a LIMIT) per transaction: the DO block"
          + " commits between batches, so row locks are held for one batch at a time");
    }
    String scope = change.whereClause() == null ? "every row" : "every row matching its WHERE";
    return ActionVerdict.slow(PROGRESSIVE,
        "changes " + scope + " in one transaction: row locks on all of them block concurrent"
            + " writers until commit, with a burst of WAL and dead rows",
        SaferSql.batched(action.table(), change, action.kind() == ActionKind.UPDATE));
  }
}
