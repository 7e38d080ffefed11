package dev.zdm.planning;

import dev.zdm.analysis.Action;
import dev.zdm.analysis.ActionKind;
import dev.zdm.analysis.ActionDetail.DataChange;
import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.analysis.ActionDetail.NewName;
import dev.zdm.analysis.ActionDetail.TypeChange;
import dev.zdm.analysis.ColumnDefinition;
import dev.zdm.analysis.ConstraintDefinition;
import dev.zdm.analysis.FileAnalysis;
import dev.zdm.analysis.Finding;
import dev.zdm.analysis.StatementAnalysis;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.engine.droptable.TableDependents;
import dev.zdm.model.HumanDuration;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DropTableStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.FeatureFlagStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
import dev.zdm.postgres.Identifiers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an analysed migration into plan steps: safe statements stay direct steps in order, each
 * unsafe one becomes the step of its recommended strategy. A statement with no safe transformation
 * is refused (REFUSED, exit 1) with the reason, unless forced, when it runs as a direct step and
 * the plan carries a warning.
 */
final class AutomaticPlanner {
  private final String sourceName;
  private final boolean force;
  private final DirectUndo undo;
  private final PriorState prior;
  private final List<PlanStep> steps = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final FileDrops drops = new FileDrops();
  /** Tables this file creates: no application uses them yet, so dropping one needs no plan. */
  private final Set<TableRef> created = new HashSet<>();

  AutomaticPlanner(String sourceName, boolean force, PriorState prior) {
    this.sourceName = sourceName;
    this.force = force;
    this.undo = new DirectUndo(prior);
    this.prior = prior;
  }

  List<PlanStep> steps() {
    return steps;
  }

  List<String> warnings() {
    return warnings;
  }

  void plan(FileAnalysis analysis) {
    List<StatementAnalysis> statements = analysis.statements();
    DerivedColumns derived = new DerivedColumns(statements);
    for (int i = 0; i < statements.size(); i++) {
      StatementAnalysis statement = statements.get(i);
      int before = steps.size();
      Optional<DerivedColumns.Found> found = derived.at(i);
      if (found.isPresent() && found.get().refusal() == null) {
        if (found.get().add() == i) {
          steps.add(derivedColumn(found.get(), statements));
        }
        continue;
      }
      if (found.isPresent() && found.get().update() == i) {
        refuse(statement, found.get().refusal());
        continue;
      }
      planStatement(statement);
      drops.record(statement);
      for (Finding finding : statement.findings()) {
        switch (finding.action().kind()) {
          case CREATE_TABLE, CREATE_TABLE_AS, CREATE_PARTITION -> created.add(finding.action().table());
          default -> {}
        }
      }
      Object readsFlag = statement.metadata().get("readsFlag");
      if (readsFlag != null) {
        gateReadsOnFlag(statement, before, readsFlag);
      }
    }
  }

  /** {@code -- @metadata {"readsFlag": "f"}}: the statement's dual-write waits for f at 100 %. */
  private void gateReadsOnFlag(StatementAnalysis statement, int firstStep, Object readsFlag) {
    if (!(readsFlag instanceof String flag) || !FeatureFlagStep.VALID_FLAG.matcher(flag).matches()) {
      throw ZdmException.badInput(sourceName + ":" + statement.line() + ": @metadata readsFlag must"
          + " be a flag name (letters, digits, '.', '_' or '-'), got " + readsFlag);
    }
    boolean gated = false;
    for (int i = firstStep; i < steps.size(); i++) {
      if (steps.get(i) instanceof DualWriteStep dualWrite) {
        steps.set(i, dualWrite.withReadsFlag(flag));
        gated = true;
      }
    }
    if (!gated) {
      throw ZdmException.badInput(sourceName + ":" + statement.line() + ": @metadata readsFlag"
          + " applies to a dual-write (rename, type change, NOT NULL column), and this statement"
          + " is not one");
    }
  }

  private void planStatement(StatementAnalysis statement) {
    List<Finding> findings = statement.findings();
    Action first = findings.isEmpty() ? null : findings.get(0).action();
    if (first != null && findings.size() == 1) {
      switch (first.kind()) {
        case TRANSACTION_BEGIN, TRANSACTION_END, SET_LOCK_TIMEOUT -> {
          warnings.add(sourceName + ":" + statement.line() + ": '" + firstLine(statement.sql())
              + "' dropped: zdm runs each step in its own transaction with its own lock_timeout");
          return;
        }
        default -> {}
      }
    }
    if (statement.safe()) {
      steps.add(direct(statement));
      return;
    }
    if (findings.size() > 1 && findings.stream().allMatch(f -> f.action().kind() == ActionKind.DROP_TABLE)) {
      // DROP TABLE a, b: one step per table, in the order written; all or none.
      int before = steps.size();
      for (Finding finding : findings) {
        String refusal = transform(statement, finding.action());
        if (refusal != null) {
          steps.subList(before, steps.size()).clear();
          refuse(statement, refusal);
          return;
        }
      }
      return;
    }
    if (findings.size() != 1) {
      refuse(statement, "it makes several changes in one statement, one of them unsafe: split it"
          + " into one statement per change so each gets its own safe step");
      return;
    }
    String refusal = transform(statement, first);
    if (refusal != null) {
      refuse(statement, refusal);
    }
  }

  /** Adds the steps for one unsafe action; returns why it cannot, or null. */
  private String transform(StatementAnalysis statement, Action action) {
    TableRef table = action.table();
    int line = statement.line();
    switch (action.kind()) {
      case DROP_COLUMN -> steps.add(new ExpandContractStep(table, action.column(), line));
      case RENAME_COLUMN -> {
        String newName = ((NewName) action.detail()).newName();
        steps.add(new DualWriteStep(table, action.column(), newName, null, null, null,
            DualWriteStep.Kind.RENAME, line));
      }
      case ALTER_COLUMN_TYPE -> {
        if (prior.inPrimaryKey(table, action.column()).orElse(false)) {
          // Dual-write cannot move a key column (decision 0520): the table is rebuilt with the new
          // key type instead; blue-green refuses, before anything changes, a table other tables reference.
          steps.add(new BlueGreenStep(table, List.of(statement.sql()), line));
          return null;
        }
        TypeChange change = (TypeChange) action.detail();
        String shadow = Identifiers.generatedName("", action.column(), "new");
        // The workflow evaluates it in a trigger (NEW.col) and in batches (col): {old} marks the column.
        String forward = change.using() == null ? null
            : SqlFragments.withPlaceholder(change.using(), action.column(), DualWriteStep.OLD);
        steps.add(new DualWriteStep(table, action.column(), shadow, change.newType(), forward,
            null, DualWriteStep.Kind.CHANGE_TYPE, line));
      }
      case ADD_COLUMN -> {
        return addColumn(statement, table, (ColumnDefinition) action.detail());
      }
      case SET_NOT_NULL -> steps.add(notNull(table, action.column(), line,
          prior.columnNullable(table, action.column())));
      case ADD_CONSTRAINT -> {
        return addConstraint(statement, table, (ConstraintDefinition) action.detail());
      }
      case CREATE_INDEX -> {
        Index index = (Index) action.detail();
        String name = index.name() != null ? index.name()
            : Identifiers.generatedName("", table.name(), "idx");
        Optional<SqlFragments.IndexParts> parts = SqlFragments.indexParts(index.definition());
        if (parts.isEmpty()) {
          return "zdm cannot take this index definition apart (" + index.definition() + ")";
        }
        steps.add(new ConcurrentIndexStep(table, name,
            "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY "
                + Identifiers.quote(name) + " " + index.definition(),
            parts.get().afterTable(), index.unique(), parts.get().where(), null, null, line));
      }
      case REINDEX -> {
        // Irreversible by nature, and nothing to undo: the index is rebuilt, not changed.
        String what = action.detail() instanceof Index ? "INDEX" : "TABLE";
        steps.add(new DirectStep(line,
            "REINDEX " + what + " CONCURRENTLY " + Identifiers.quote(action.table()), false));
      }
      case DROP_INDEX -> steps.add(new DirectStep(line, "DROP INDEX CONCURRENTLY "
          + (statement.sql().matches("(?is).*\\bif\\s+exists\\b.*") ? "IF EXISTS " : "")
          + Identifiers.quote(action.table()), false));
      case UPDATE, DELETE -> {
        DataChange change = (DataChange) action.detail();
        boolean update = action.kind() == dev.zdm.analysis.ActionKind.UPDATE;
        String pending;
        if (update) {
          Object given = statement.metadata().get("pending");
          Optional<List<SqlFragments.Assignment>> assignments = SqlFragments.assignments(change.setClause());
          Optional<String> derived = assignments
              .flatMap(list -> SqlFragments.pendingRows(list, change.whereClause()));
          if (given == null && derived.isEmpty()) {
            String why = assignments.flatMap(SqlFragments::whyNoPendingRows)
                .orElse("the UPDATE sets a row of columns, so a batch cannot tell changed rows"
                    + " from unchanged ones");
            return why + ": say which rows still need it with"
                + " -- @metadata {\"pending\": \"<condition>\"} before the statement";
          }
          pending = given != null ? given.toString() : derived.get();
        } else {
          pending = change.whereClause() == null ? "true" : change.whereClause();
        }
        steps.add(new ProgressiveDmlStep(table,
            update ? ProgressiveDmlStep.Operation.UPDATE : ProgressiveDmlStep.Operation.DELETE,
            change.setClause(), change.whereClause(), pending,
            intOption(statement, "batchSize", ProgressiveDmlStep.DEFAULT_BATCH_SIZE),
            intOption(statement, "delayMs", (int) ProgressiveDmlStep.DEFAULT_DELAY_MS),
            intOption(statement, "maxDuration", (int) ProgressiveDmlStep.DEFAULT_MAX_DURATION_MS),
            intOption(statement, "rolloutPercentage", 100), line));
      }
      case CLUSTER -> {
        return "CLUSTER orders the table by an index under ACCESS EXCLUSIVE, and a blue-green copy is"
            + " made in key order, not the index's: leave it out, or run it in a maintenance window"
            + " with --force";
      }
      case VACUUM_FULL, SET_TABLESPACE, SET_LOGGED, SET_UNLOGGED -> {
        if (table == null) {
          return "it names no table, so there is no copy to build";
        }
        steps.add(new BlueGreenStep(table, List.of(statement.sql()), line));
      }
      case DROP_TABLE -> {
        return dropTable(statement, table);
      }
      case TRUNCATE -> {
        return "TRUNCATE empties the table under ACCESS EXCLUSIVE; write the DELETE you mean and"
            + " zdm will batch it";
      }
      case RENAME_TABLE, SET_SCHEMA -> {
        return "renaming a table has no automatic plan yet: deploy code that reads both names"
            + " (a view under the old name), then rename";
      }
      default -> {
        return statement.reason();
      }
    }
    return null;
  }

  /**
   * DROP TABLE as an expand-contract (docs/decisions/0540). CASCADE is refused: it would drop
   * whatever depends on the table without naming it. With a database, dependents the file does not
   * drop first are refused here already; zdm start checks again.
   */
  private String dropTable(StatementAnalysis statement, TableRef table) {
    String sql = statement.sql();
    if (sql.matches("(?is).*\\bcascade\\s*;?\\s*$")) {
      return "CASCADE would drop every view and foreign key that depends on the table without naming"
          + " them: drop those by name first in this file, then DROP TABLE without CASCADE";
    }
    boolean ifExists = sql.matches("(?is)^\\s*drop\\s+table\\s+if\\s+exists\\b.*");
    if (created.contains(table)) {
      steps.add(new DirectStep(statement.line(), "DROP TABLE " + (ifExists ? "IF EXISTS " : "")
          + Identifiers.quote(table), true));
      drops.add(table.displayName());
      return null;
    }
    long retention = DropTableStep.DEFAULT_RETENTION_SECONDS;
    Object given = statement.metadata().get("retention");
    if (given != null) {
      retention = HumanDuration.parse(given.toString()).toSeconds();
    }
    DropTableStep step = new DropTableStep(table, ifExists, retention, drops.soFar(), statement.line());
    List<TableDependents.Dependent> blocking = prior.tableDependents(table).orElse(List.of()).stream()
        .filter(dependent -> !DropTablePlanning.droppedFirst(step, dependent))
        .toList();
    if (!blocking.isEmpty()) {
      return DropTablePlanning.blockingMessage(table, blocking);
    }
    steps.add(step);
    // A later table of the same statement may be pointed at by this one.
    drops.add(table.displayName());
    return null;
  }

  /**
   * ADD COLUMN, UPDATE ... SET it from the row, SET NOT NULL: one dual-write of kind DERIVED at the
   * ADD COLUMN's place, whose trigger keeps the column right while the application writes.
   */
  private DualWriteStep derivedColumn(DerivedColumns.Found found, List<StatementAnalysis> statements) {
    return new DualWriteStep(found.table(), null, found.column().name(), found.column().type(),
        found.expression(), null, DualWriteStep.Kind.DERIVED, statements.get(found.add()).line());
  }

  private String addColumn(StatementAnalysis statement, TableRef table, ColumnDefinition column) {
    int line = statement.line();
    String t = Identifiers.quote(table);
    String c = Identifiers.quote(column.name());
    if (column.identity() || column.generatedStored()) {
      steps.add(new BlueGreenStep(table, List.of(statement.sql()), line));
      return null;
    }
    // The steps below re-add the column by name and type only: an inline constraint would be lost.
    if (column.indexed() || column.hasCheck() || column.referencedTable() != null) {
      return "the column declares an inline constraint: add the column in one statement and the"
          + " constraint in another, so each gets its own safe step";
    }
    if (column.notNull() && column.defaultExpression() == null) {
      Object backfill = statement.metadata().get("backfill");
      if (backfill == null) {
        return "existing rows need a value for the NOT NULL column " + column.name() + ": give it"
            + " with a DEFAULT, or with -- @metadata {\"backfill\": \"<expression>\"} before the"
            + " statement";
      }
      steps.add(new DualWriteStep(table, null, column.name(), column.type(), backfill.toString(),
          null, DualWriteStep.Kind.ADD_NOT_NULL, line));
      return null;
    }
    steps.add(new DirectStep(line, "ALTER TABLE " + t + " ADD COLUMN " + c + " " + column.type(),
        true, undo.addedColumn(table, column.name())));
    steps.add(new DirectStep(line, "ALTER TABLE " + t + " ALTER COLUMN " + c + " SET DEFAULT "
        + column.defaultExpression(), true, undo.defaultOfAddedColumn(table, column.name())));
    steps.add(new ProgressiveDmlStep(table, ProgressiveDmlStep.Operation.UPDATE,
        c + " = " + column.defaultExpression(), c + " IS NULL", c + " IS NULL",
        intOption(statement, "batchSize", ProgressiveDmlStep.DEFAULT_BATCH_SIZE),
        intOption(statement, "delayMs", (int) ProgressiveDmlStep.DEFAULT_DELAY_MS),
        intOption(statement, "maxDuration", (int) ProgressiveDmlStep.DEFAULT_MAX_DURATION_MS),
        100, line));
    if (column.notNull()) {
      // The ADD COLUMN above fails if the column exists, so it is new: nullable before this file.
      steps.add(notNull(table, column.name(), line, Optional.of(true)));
    }
    return null;
  }

  private String addConstraint(
      StatementAnalysis statement, TableRef table, ConstraintDefinition constraint) {
    String name = constraint.name() != null ? constraint.name()
        : Identifiers.generatedName("", table.name(), constraint.type().name().toLowerCase());
    switch (constraint.type()) {
      case CHECK, FOREIGN_KEY -> steps.add(new ConstraintStep(table, name,
          constraint.type() == ConstraintDefinition.Type.CHECK
              ? ConstraintStep.Kind.CHECK : ConstraintStep.Kind.FOREIGN_KEY,
          constraint.definition().replaceAll("(?i)\\s+NOT\\s+VALID\\s*$", ""), null,
          List.of(), statement.line()));
      case UNIQUE, PRIMARY_KEY -> {
        String type = constraint.type() == ConstraintDefinition.Type.UNIQUE ? "UNIQUE" : "PRIMARY KEY";
        String columns = "(" + constraint.columns() + ")";
        if (constraint.type() == ConstraintDefinition.Type.PRIMARY_KEY) {
          // USING INDEX would SET NOT NULL itself, scanning the table under ACCESS EXCLUSIVE: each
          // column that may be nullable goes NOT NULL first through a validated check (no scan under
          // that lock). Known NOT NULL columns are left alone; unknown ones take the safe path.
          for (String column : SqlFragments.columnNames(constraint.columns())) {
            Optional<Boolean> nullable = prior.columnNullable(table, column);
            if (!nullable.equals(Optional.of(false))) {
              steps.add(notNull(table, column, statement.line(), nullable));
            }
          }
        }
        steps.add(new ConcurrentIndexStep(table, name,
            "CREATE UNIQUE INDEX CONCURRENTLY " + Identifiers.quote(name) + " ON "
                + Identifiers.quote(table) + " " + columns,
            columns, true, null, name, type, statement.line()));
      }
      case EXCLUDE -> steps.add(new BlueGreenStep(table, List.of(statement.sql()), statement.line()));
    }
    return null;
  }

  /**
   * SET NOT NULL without its scan under ACCESS EXCLUSIVE: a CHECK (col IS NOT NULL) added NOT VALID
   * and validated apart, after which SET NOT NULL trusts it and the check is dropped. Its undo once
   * done drops the NOT NULL only if the column was nullable before ({@code wasNullable}); when
   * that is not known the step is irreversible.
   */
  static ConstraintStep notNull(TableRef table, String column, int line, Optional<Boolean> wasNullable) {
    String name = Identifiers.generatedName("", table.name(), column, "not_null");
    String t = Identifiers.quote(table);
    String c = Identifiers.quote(column);
    String dropCheck = "DROP CONSTRAINT IF EXISTS " + Identifiers.quote(name);
    List<String> undo = wasNullable
        .map(nullable -> List.of("ALTER TABLE " + t + " "
            + (nullable ? "ALTER COLUMN " + c + " DROP NOT NULL, " : "") + dropCheck))
        .orElse(List.of());
    return new ConstraintStep(table, name, ConstraintStep.Kind.NOT_NULL,
        "CHECK (" + c + " IS NOT NULL)", column,
        List.of("ALTER TABLE " + t + " ALTER COLUMN " + c + " SET NOT NULL",
            // IF EXISTS: a retried run of the parent's statement finds the check already gone.
            "ALTER TABLE " + t + " " + dropCheck),
        line, undo);
  }

  private void refuse(StatementAnalysis statement, String why) {
    String message = sourceName + ":" + statement.line() + ": cannot make '"
        + firstLine(statement.sql()) + "' safe: " + why;
    if (!force) {
      throw new ZdmException(ErrorCode.REFUSED, message,
          "change the statement, or run it as written with --force");
    }
    warnings.add(message + " (forced: runs as written)");
    steps.add(direct(statement));
  }

  /** A statement run as written, with its undo when it has one. */
  private DirectStep direct(StatementAnalysis statement) {
    return new DirectStep(statement.line(), statement.sql(), statement.transactional(),
        undo.of(statement));
  }

  private static int intOption(StatementAnalysis statement, String key, int fallback) {
    Object value = statement.metadata().get(key);
    return value instanceof Number number ? number.intValue() : fallback;
  }

  private static String firstLine(String sql) {
    return sql.strip().lines().findFirst().orElse("");
  }
}
