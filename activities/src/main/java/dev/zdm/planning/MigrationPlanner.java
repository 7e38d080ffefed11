package dev.zdm.planning;

import dev.zdm.analysis.FileAnalysis;
import dev.zdm.analysis.MigrationAnalyzer;
import dev.zdm.analysis.MigrationScript;
import dev.zdm.analysis.SqlNames;
import dev.zdm.analysis.SqlStatement;
import dev.zdm.error.ZdmException;
import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
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
 * become strategy steps, the rest stay direct steps, in file order. With no strategy the plan
 * follows the analysis: each unsafe statement gets its recommended strategy's step.
 */
public final class MigrationPlanner {

  /**
   * @param strategy null for automatic planning from the analysis
   * @throws ZdmException BAD_INPUT for invalid SQL or a strategy that fits no statement,
   *     REFUSED for an unsafe statement the planner cannot make safe
   */
  public Plan plan(String migrationId, MigrationScript script, Strategy strategy) {
    return plan(migrationId, script, strategy, false);
  }

  /** As {@link #plan(String, MigrationScript, Strategy)}; {@code force} keeps what cannot be made safe as direct steps, with a warning. */
  public Plan plan(String migrationId, MigrationScript script, Strategy strategy, boolean force) {
    if (script.statements().isEmpty()) {
      throw ZdmException.badInput(script.sourceName() + ": the file holds no SQL statement");
    }
    if (strategy == Strategy.EXPAND_CONTRACT) {
      return expandContract(migrationId, script);
    }
    if (strategy == Strategy.FEATURE_FLAG) {
      throw ZdmException.badInput(
          "strategy " + strategy.cliName() + " is not planned from SQL; it is run on its own");
    }
    FileAnalysis analysis = new MigrationAnalyzer().analyzeScript(script);
    AutomaticPlanner planner = new AutomaticPlanner(script.sourceName(), force);
    planner.plan(analysis);
    if (strategy != null
        && planner.steps().stream().noneMatch(step -> step.strategy() == strategy)) {
      throw ZdmException.badInput(script.sourceName() + ": no statement in it is one the "
          + strategy.cliName() + " strategy handles (run zdm plan without --strategy to see"
          + " what each statement needs)");
    }
    return new Plan(migrationId, planner.steps(), planner.warnings());
  }



  private Plan expandContract(String migrationId, MigrationScript script) {
    List<PlanStep> steps = new ArrayList<>();
    for (SqlStatement statement : script.statements()) {
      DroppedColumn dropped = droppedColumn(script.sourceName(), statement);
      steps.add(dropped != null
          ? new ExpandContractStep(dropped.table(), dropped.column(), statement.line())
          : new DirectStep(statement.line(), statement.sql(), TransactionRules.mayRunInTransaction(statement.sql())));
    }
    boolean strategyUsed = steps.stream().anyMatch(step -> !(step instanceof DirectStep));
    if (!strategyUsed) {
      throw ZdmException.badInput(
          script.sourceName()
              + ": no statement in it is one the "
              + Strategy.EXPAND_CONTRACT.cliName()
              + " strategy handles"
              + " (expand-contract drops a column: ALTER TABLE t DROP COLUMN c)");
    }
    return new Plan(migrationId, steps, List.of());
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
