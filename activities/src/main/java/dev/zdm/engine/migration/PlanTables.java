package dev.zdm.engine.migration;

import dev.zdm.analysis.Finding;
import dev.zdm.analysis.MigrationAnalyzer;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.analysis.StatementAnalysis;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The tables a plan touches, each once in plan order: a strategy step names its table; a direct
 * step runs SQL as written, so its tables are read from that SQL by the analyzer.
 */
final class PlanTables {
  private final MigrationAnalyzer analyzer = new MigrationAnalyzer();

  List<TableRef> of(Plan plan) {
    Set<TableRef> tables = new LinkedHashSet<>();
    for (PlanStep step : plan.steps()) {
      if (step.table() != null) {
        tables.add(step.table());
      } else if (step instanceof DirectStep direct) {
        for (StatementAnalysis statement : analyzer.analyzeScript(
            new SqlSplitter().split(plan.migrationId(), direct.sql())).statements()) {
          statement.findings().stream()
              .map(Finding::action)
              .map(action -> action.table())
              .filter(Objects::nonNull)
              .forEach(tables::add);
        }
      }
    }
    return List.copyOf(tables);
  }
}
