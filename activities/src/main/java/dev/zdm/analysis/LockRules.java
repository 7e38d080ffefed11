package dev.zdm.analysis;

import static dev.zdm.analysis.LockMode.ACCESS_EXCLUSIVE;
import static dev.zdm.analysis.LockMode.NONE;
import static dev.zdm.analysis.LockMode.ROW_EXCLUSIVE;
import static dev.zdm.analysis.LockMode.SHARE;
import static dev.zdm.analysis.LockMode.SHARE_ROW_EXCLUSIVE;
import static dev.zdm.analysis.LockMode.SHARE_UPDATE_EXCLUSIVE;

import dev.zdm.analysis.ActionDetail.Partition;
import dev.zdm.analysis.ActionDetail.TableDefinition;
import dev.zdm.analysis.ActionDetail.TypeChange;
import dev.zdm.model.TableRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule table: lock mode, rewrite, scan and transaction facts per action for PostgreSQL 12-17.
 * Every row is exercised against the real server by LockFactsTest (pg_locks for the mode,
 * pg_relation_filenode for the rewrite), so a row that drifts from the server fails the build.
 * The lock on the main table comes first; referenced tables and partitions follow.
 */
public final class LockRules {
  private final ColumnTypes columnTypes;

  /** @param columnTypes what is known of current column types, to spot binary-coercible changes */
  public LockRules(ColumnTypes columnTypes) {
    this.columnTypes = columnTypes;
  }

  public LockFacts facts(Action action) {
    TableRef table = action.table();
    return switch (action.kind()) {
      case ADD_COLUMN -> addColumn(table, (ColumnDefinition) action.detail());
      case ALTER_COLUMN_TYPE -> {
        TypeChange change = (TypeChange) action.detail();
        boolean rewrite = !columnTypes.isBinaryCoercible(table, action.column(), change);
        boolean indexRebuild = !rewrite && columnTypes.rebuildsIndexes(table, action.column(), change)
            && columnTypes.isIndexed(table, action.column()).orElse(false);
        yield on(table, ACCESS_EXCLUSIVE, rewrite, indexRebuild);
      }
      case SET_NOT_NULL -> on(table, ACCESS_EXCLUSIVE, false,
          !columnTypes.isNotNull(table, action.column()));
      case ADD_CONSTRAINT -> addConstraint(table, (ConstraintDefinition) action.detail());
      case VALIDATE_CONSTRAINT -> on(table, SHARE_UPDATE_EXCLUSIVE, false, true);
      case DROP_COLUMN, RENAME_COLUMN, DROP_NOT_NULL, SET_DEFAULT, DROP_DEFAULT, ADD_IDENTITY,
          ALTER_COLUMN_OTHER, DROP_CONSTRAINT, RENAME_CONSTRAINT, RENAME_TABLE, SET_SCHEMA,
          ALTER_TABLE_OTHER, DROP_TABLE, DROP_INDEX, DETACH_PARTITION ->
          on(table, ACCESS_EXCLUSIVE, false, false);
      case ALTER_COLUMN_STATISTICS, SET_STORAGE_PARAMETERS, COMMENT ->
          on(table, SHARE_UPDATE_EXCLUSIVE, false, false);
      case ENABLE_DISABLE_TRIGGER, CREATE_TRIGGER -> on(table, SHARE_ROW_EXCLUSIVE, false, false);
      case DROP_TRIGGER -> on(table, ACCESS_EXCLUSIVE, false, false);
      case SET_LOGGED, SET_UNLOGGED, SET_TABLESPACE, VACUUM_FULL, CLUSTER, TRUNCATE ->
          nonTransactionalIf(action.kind() == ActionKind.VACUUM_FULL,
              on(table, ACCESS_EXCLUSIVE, true, false));
      case ATTACH_PARTITION -> new LockFacts(
          List.of(new TableLock(table, SHARE_UPDATE_EXCLUSIVE),
              new TableLock(((Partition) action.detail()).other(), ACCESS_EXCLUSIVE)),
          false, true, true);
      case DETACH_PARTITION_CONCURRENTLY -> new LockFacts(
          List.of(new TableLock(table, SHARE_UPDATE_EXCLUSIVE)), false, false, false);
      case CREATE_PARTITION -> new LockFacts(
          List.of(new TableLock(((Partition) action.detail()).other(), ACCESS_EXCLUSIVE)),
          false, false, true);
      case CREATE_TABLE -> createTable((TableDefinition) action.detail());
      case CREATE_TABLE_AS, INSERT, SELECT, SET_LOCK_TIMEOUT, SET_SESSION, TRANSACTION_BEGIN,
          TRANSACTION_END, OTHER_DDL, ENUM_ADD_VALUE, DO_BLOCK ->
          new LockFacts(List.of(), false, false, true);
      case CREATE_INDEX -> on(table, SHARE, false, true);
      case CREATE_INDEX_ON_ONLY -> on(table, SHARE, false, !columnTypes.isPartitioned(table).orElse(true));
      case CREATE_INDEX_CONCURRENTLY, REINDEX_CONCURRENTLY ->
          new LockFacts(locks(table, SHARE_UPDATE_EXCLUSIVE), false, false, false);
      case DROP_INDEX_CONCURRENTLY ->
          new LockFacts(locks(table, SHARE_UPDATE_EXCLUSIVE), false, false, false);
      case REINDEX -> on(table, SHARE, false, true);
      case VACUUM -> new LockFacts(locks(table, SHARE_UPDATE_EXCLUSIVE), false, false, false);
      case REFRESH_MATERIALIZED_VIEW -> on(table, ACCESS_EXCLUSIVE, true, false);
      case REFRESH_MATERIALIZED_VIEW_CONCURRENTLY -> on(table, LockMode.EXCLUSIVE, false, false);
      case UPDATE, DELETE -> on(table, ROW_EXCLUSIVE, false, false);
      case LOCK_TABLE -> on(table, explicitMode((ActionDetail.Setting) action.detail()), false, false);
    };
  }

  /** LOCK TABLE t [IN mode MODE]: ACCESS EXCLUSIVE unless a mode is named. */
  private static LockMode explicitMode(ActionDetail.Setting setting) {
    String words = setting.value().toUpperCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
    for (int i = LockMode.values().length - 1; i > 0; i--) {
      LockMode mode = LockMode.values()[i];
      String name = mode.name().replace('_', ' ');
      if (words.contains("IN " + name + " MODE")) {
        return mode;
      }
    }
    return ACCESS_EXCLUSIVE;
  }

  private static LockFacts addColumn(TableRef table, ColumnDefinition column) {
    boolean rewrite = column.volatileDefault() || column.identity() || column.generatedStored();
    // NOT NULL without a default: PostgreSQL scans to prove it (and fails on the first row).
    boolean scan = column.indexed() || column.hasCheck() || column.validatesReference()
        || column.notNull() && column.defaultExpression() == null && !column.identity()
            && !column.generatedStored();
    List<TableLock> locks = new ArrayList<>(locks(table, ACCESS_EXCLUSIVE));
    if (column.referencedTable() != null) {
      locks.add(new TableLock(column.referencedTable(), SHARE_ROW_EXCLUSIVE));
    }
    return new LockFacts(locks, rewrite, scan, true);
  }

  private static LockFacts addConstraint(TableRef table, ConstraintDefinition constraint) {
    return switch (constraint.type()) {
      case CHECK -> on(table, ACCESS_EXCLUSIVE, false, !constraint.notValid());
      case FOREIGN_KEY -> new LockFacts(
          List.of(new TableLock(table, SHARE_ROW_EXCLUSIVE),
              new TableLock(constraint.referencedTable(), SHARE_ROW_EXCLUSIVE)),
          false, !constraint.notValid(), true);
      case UNIQUE, PRIMARY_KEY -> on(table, ACCESS_EXCLUSIVE, false,
          constraint.usingIndex() == null);
      case EXCLUDE -> on(table, ACCESS_EXCLUSIVE, false, true);
    };
  }

  private static LockFacts createTable(TableDefinition definition) {
    List<TableLock> locks = new ArrayList<>();
    for (TableRef referenced : definition.references()) {
      locks.add(new TableLock(referenced, SHARE_ROW_EXCLUSIVE));
    }
    return new LockFacts(locks, false, false, true);
  }

  private static LockFacts on(TableRef table, LockMode mode, boolean rewrite, boolean scan) {
    return new LockFacts(locks(table, mode), rewrite, scan, true);
  }

  private static List<TableLock> locks(TableRef table, LockMode mode) {
    return table == null || mode == NONE ? List.of() : List.of(new TableLock(table, mode));
  }

  private static LockFacts nonTransactionalIf(boolean condition, LockFacts facts) {
    return condition
        ? new LockFacts(facts.locks(), facts.rewrite(), facts.scanUnderLock(), false)
        : facts;
  }
}
