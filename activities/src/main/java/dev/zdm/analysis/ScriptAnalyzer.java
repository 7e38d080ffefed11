package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.Body;
import dev.zdm.error.ZdmException;
import dev.zdm.model.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Analyzes the statements of one script in order, carrying what earlier statements established
 * (tables created, lock_timeout, validated checks) to the later ones. Column types learnt here are
 * kept in the shared {@link ColumnTypes} for the files that follow in the same run.
 */
final class ScriptAnalyzer {
  private final StatementClassifier classifier = new StatementClassifier();
  private final ColumnTypes columnTypes;
  private final LockRules lockRules;
  private final StatementJudge judge;
  private final DowntimeEstimator estimator;

  ScriptAnalyzer(ColumnTypes columnTypes, DowntimeEstimator estimator) {
    this.columnTypes = columnTypes;
    this.lockRules = new LockRules(columnTypes);
    this.judge = new StatementJudge(columnTypes);
    this.estimator = estimator;
  }

  /** @throws ZdmException BAD_INPUT ({@code file:line: reason}) when a statement is not PostgreSQL */
  FileAnalysis analyze(MigrationScript script) {
    FileContext context = new FileContext();
    List<StatementAnalysis> statements = new ArrayList<>();
    for (SqlStatement statement : script.statements()) {
      List<Action> actions;
      try {
        actions = classifier.classify(statement);
      } catch (InvalidSqlException e) {
        throw ZdmException.badInput(e.located(script.sourceName()));
      }
      List<Finding> findings = new ArrayList<>();
      for (Action action : actions) {
        findings.add(find(action, context));
      }
      statements.add(summarize(statement, findings));
    }
    boolean safe = statements.stream().allMatch(StatementAnalysis::safe);
    RecommendedStrategy strategy = statements.stream().map(StatementAnalysis::strategy)
        .reduce(RecommendedStrategy.NONE, RecommendedStrategy::dominant);
    return new FileAnalysis(script.sourceName(), safe, strategy, null, statements);
  }

  private Finding find(Action action, FileContext context) {
    if (action.detail() instanceof Body body) {
      return doBlock(action, body, context);
    }
    LockFacts facts = lockRules.facts(action);
    ActionVerdict verdict = judge.judge(action, facts, context);
    DowntimeEstimate estimate = null;
    if (estimator != null && !context.createdHere(action.table())) {
      Optional<DowntimeEstimate> found = estimator.estimate(action, facts);
      estimate = found.orElse(null);
      if (estimate != null && verdict.sizeDependent()
          && estimate.lockMillis() < estimator.acceptableLockMillis()) {
        verdict = ActionVerdict.safe("the table is small enough: estimated " + estimate.lockMillis()
            + " ms under the lock (" + estimate.basis() + ")");
      }
    }
    context.after(action, columnTypes);
    return new Finding(action, facts, verdict, estimate);
  }

  /** A DO block is as unsafe as the worst statement in it; it always runs as one transaction. */
  private Finding doBlock(Action action, Body body, FileContext context) {
    context.enterDoBlock();
    List<Finding> inner = new ArrayList<>();
    try {
      for (Action innerAction : body.inner()) {
        inner.add(find(innerAction, context));
      }
    } finally {
      context.leaveDoBlock();
    }
    List<TableLock> locks = new ArrayList<>();
    boolean rewrite = false;
    boolean scan = false;
    for (Finding finding : inner) {
      locks.addAll(finding.facts().locks());
      rewrite |= finding.facts().rewrite();
      scan |= finding.facts().scanUnderLock();
    }
    LockFacts facts = new LockFacts(locks, rewrite, scan, true);
    ActionVerdict verdict = inner.stream().map(Finding::verdict).filter(v -> !v.safe())
        .findFirst()
        .map(v -> v.withReason("in the DO block: " + v.reason()))
        .orElse(ActionVerdict.safe(inner.isEmpty()
            ? "a DO block with no table DDL or DML zdm recognises"
            : "a DO block whose statements are all safe"));
    return new Finding(action, facts, verdict, null);
  }

  private static StatementAnalysis summarize(SqlStatement statement, List<Finding> findings) {
    Set<String> kinds = new LinkedHashSet<>();
    Set<String> tables = new LinkedHashSet<>();
    LockMode mode = LockMode.NONE;
    boolean rewrite = false;
    boolean scan = false;
    boolean transactional = true;
    DowntimeEstimate estimate = null;
    for (Finding finding : findings) {
      kinds.add(finding.action().kind().displayName());
      for (TableLock lock : finding.facts().locks()) {
        tables.add(display(lock.table()));
      }
      if (finding.action().table() != null) {
        tables.add(display(finding.action().table()));
      }
      mode = mode.strongest(finding.facts().strongestMode());
      rewrite |= finding.facts().rewrite();
      scan |= finding.facts().scanUnderLock();
      transactional &= finding.facts().transactional();
      if (finding.estimate() != null
          && (estimate == null || finding.estimate().lockMillis() > estimate.lockMillis())) {
        estimate = finding.estimate();
      }
    }
    Optional<Finding> unsafe = findings.stream().filter(f -> !f.verdict().safe()).findFirst();
    boolean safe = unsafe.isEmpty();
    String reason;
    String saferSql = null;
    RecommendedStrategy strategy = RecommendedStrategy.NONE;
    if (unsafe.isPresent()) {
      ActionVerdict verdict = unsafe.get().verdict();
      strategy = findings.stream().filter(f -> !f.verdict().safe())
          .map(f -> f.verdict().strategy())
          .reduce(RecommendedStrategy.NONE, RecommendedStrategy::dominant);
      reason = verdict.reason();
      saferSql = verdict.saferSql();
    } else {
      reason = findings.isEmpty() ? "no effect" : findings.get(0).verdict().reason();
    }
    return new StatementAnalysis(statement.line(), statement.sql(), String.join(",", kinds),
        List.copyOf(tables), mode, mode.blocksReads(), mode.blocksWrites(), rewrite, scan,
        transactional, safe, strategy, reason, saferSql, estimate, findings,
        statement.metadata());
  }

  private static String display(TableRef table) {
    return table.schema() + "." + table.name();
  }
}
