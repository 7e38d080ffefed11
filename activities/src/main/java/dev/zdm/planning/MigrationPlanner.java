package dev.zdm.planning;

import dev.zdm.analysis.MigrationScript;
import dev.zdm.analysis.SqlNames;
import dev.zdm.analysis.SqlStatement;
import dev.zdm.error.ZdmException;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.postgres.TransactionRules;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.AlterExpression;
import net.sf.jsqlparser.statement.alter.AlterOperation;

/**
 * Turns a parsed migration into a {@link Plan}: the statements the chosen strategy handles
 * become strategy steps, the rest stay direct steps, in file order.
 */
public final class MigrationPlanner {

  public Plan plan(String migrationId, MigrationScript script, Strategy strategy) {
    if (script.statements().isEmpty()) {
      throw ZdmException.badInput(script.sourceName() + ": the file holds no SQL statement");
    }
    if (strategy == null) {
      throw ZdmException.badInput(
          "choose a strategy with --strategy (one of " + Strategy.allNames() + ")");
    }
    List<PlanStep> steps = new ArrayList<>();
    for (SqlStatement statement : script.statements()) {
      steps.add(planStatement(script.sourceName(), statement, strategy));
    }
    boolean strategyUsed = steps.stream().anyMatch(step -> !(step instanceof DirectStep));
    if (!strategyUsed) {
      throw ZdmException.badInput(
          script.sourceName()
              + ": no statement in it is one the "
              + strategy.cliName()
              + " strategy handles"
              + (strategy == Strategy.EXPAND_CONTRACT
                  ? " (expand-contract drops a column: ALTER TABLE t DROP COLUMN c)"
                  : ""));
    }
    return new Plan(migrationId, steps, List.of());
  }

  private PlanStep planStatement(String sourceName, SqlStatement statement, Strategy strategy) {
    if (strategy == Strategy.EXPAND_CONTRACT) {
      DroppedColumn dropped = droppedColumn(sourceName, statement);
      if (dropped != null) {
        return new ExpandContractStep(dropped.table(), dropped.column(), statement.line());
      }
    } else {
      throw ZdmException.badInput(
          "strategy " + strategy.cliName() + " is not available in this version of zdm");
    }
    return new DirectStep(statement.line(), statement.sql(), TransactionRules.mayRunInTransaction(statement.sql()));
  }

  private record DroppedColumn(TableRef table, String column) {}

  private static DroppedColumn droppedColumn(String sourceName, SqlStatement statement) {
    if (!statement.sql().regionMatches(true, 0, "ALTER", 0, 5)) {
      return null;
    }
    Statement parsed;
    try {
      parsed = CCJSqlParserUtil.parse(statement.sql());
    } catch (JSQLParserException e) {
      return null;
    }
    if (!(parsed instanceof Alter alter) || alter.getAlterExpressions() == null) {
      return null;
    }
    List<AlterExpression> drops =
        alter.getAlterExpressions().stream()
            .filter(e -> e.getOperation() == AlterOperation.DROP && e.getColumnName() != null)
            .toList();
    if (drops.isEmpty()) {
      return null;
    }
    if (drops.size() != 1 || alter.getAlterExpressions().size() != 1) {
      throw ZdmException.badInput(
          sourceName
              + ":"
              + statement.line()
              + ": drop one column per ALTER TABLE statement, so each has its own expand-contract"
              + " step");
    }
    TableRef table =
        SqlNames.table(alter.getTable().getSchemaName(), alter.getTable().getName());
    return new DroppedColumn(table, SqlNames.normalize(drops.get(0).getColumnName()));
  }
}
