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
    return analyze(script, FileTransaction.PER_STATEMENT);
  }

  /**
   * Analyzes a script run the way {@code transaction} says (one transaction for the whole file, or
   * statement by statement).
   *
   * @throws ZdmException BAD_INPUT ({@code file:line: reason}) when a statement is not PostgreSQL
   *     or PostgreSQL would refuse it where it stands (CONCURRENTLY inside a transaction block)
   */
  FileAnalysis analyze(MigrationScript script, FileTransaction transaction) {
    try {
      return judge(script, transaction);
    } catch (InvalidSqlException e) {
      throw ZdmException.badInput(e.located(script.sourceName()));
    }
  }

  private FileAnalysis judge(MigrationScript script, FileTransaction transaction) {
    columnTypes.sessionInUtc(false);
    List<List<Action>> classified = new ArrayList<>();
    for (SqlStatement statement : script.statements()) {
      classified.add(classifier.classify(statement));
    }
    FileTransaction effective = FlywayNonTransactional.apply(transaction, script, classified, lockRules);
    FileContext context = new FileContext(effective, script.statements().size());
    TableSwaps swaps = TableSwaps.find(classified);
    List<StatementAnalysis> statements = new ArrayList<>();
    for (int i = 0; i < classified.size(); i++) {
      SqlStatement statement = script.statements().get(i);
      List<Finding> findings = new ArrayList<>();
      for (Action action : classified.get(i)) {
        findings.add(find(action, context, swaps, statement.line()));
      }
      context.statementEnded();
      statements.add(summarize(statement, findings));
    }
    boolean safe = statements.stream().allMatch(StatementAnalysis::safe);
    RecommendedStrategy strategy = statements.stream().map(StatementAnalysis::strategy)
        .reduce(RecommendedStrategy.NONE, RecommendedStrategy::dominant);
    return new FileAnalysis(script.sourceName(), safe, strategy, null, statements);
  }

  private Finding find(Action action, FileContext context, TableSwaps swaps, int line) {
    if (action.detail() instanceof Body body) {
      return doBlock(action, body, context, swaps, line);
    }
    LockFacts facts = lockRules.facts(action);
    if (!facts.transactional() && context.inTransactionBlock()) {
      throw new InvalidSqlException(line, refusedInTransaction(action, context));
    }
    ActionVerdict verdict = swapped(action, swaps)
        .orElseGet(() -> judge.judge(action, facts, context));
    // Judged with the transaction's earlier locks first: a long step under them is as short as
    // the table is small, so the estimate below decides both.
    verdict = HeldLockRule.apply(action, facts, verdict, context);
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
    context.took(facts, line);
    context.after(action, columnTypes, line);
    return new Finding(action, facts, verdict, estimate);
  }

  private static String refusedInTransaction(Action action, FileContext context) {
    String what = action.kind().displayName().toUpperCase(java.util.Locale.ROOT).replace('-', ' ');
    if (context.inDoBlock()) {
      return "PostgreSQL refuses " + what + " inside a DO block (it cannot be executed from a"
          + " function): run it as a statement of its own, outside any transaction";
    }
    return "PostgreSQL refuses " + what + " inside a transaction block, and "
        + context.transactionOrigin() + ": " + context.transactionOptOut();
  }

  /** Renames that swap a hand-built copy in for a live table are a blue-green switch. */
  private static Optional<ActionVerdict> swapped(Action action, TableSwaps swaps) {
    if (action.kind() == ActionKind.RENAME_TABLE && swaps.replaces(action.table())) {
      return Optional.of(ActionVerdict.unsafe(RecommendedStrategy.BLUE_GREEN,
          "swaps a hand-built copy in for " + action.table().displayName() + ": rows written to it"
              + " after the copy was made are lost, and the renames take ACCESS EXCLUSIVE on both",
          "let zdm build the copy with a sync trigger, verify it and switch under lock_timeout:"
              + " zdm plan FILE (blue-green)"));
    }
    if (action.kind() == ActionKind.DROP_TABLE && swaps.isAside(action.table())) {
      return Optional.of(ActionVerdict.unsafe(RecommendedStrategy.BLUE_GREEN,
          "drops the table a hand-built swap renamed aside, leaving no way back",
          "zdm's blue-green keeps the old table, synced in reverse, until you approve the drop"));
    }
    return Optional.empty();
  }

  /**
   * A DO block is as unsafe as the worst statement in it. Without COMMIT it runs as one
   * transaction; with COMMIT each batch is its own transaction, and the block must itself run
   * outside a transaction block.
   */
  private Finding doBlock(
      Action action, Body body, FileContext context, TableSwaps swaps, int line) {
    if (body.commits() && context.inTransactionBlock()) {
      throw new InvalidSqlException(line, "a DO block that runs COMMIT fails inside a transaction"
          + " block (PostgreSQL: invalid transaction termination), and "
          + context.transactionOrigin() + ": " + context.transactionOptOut());
    }
    context.enterDoBlock(body.commits());
    List<Finding> inner = new ArrayList<>();
    try {
      for (Action innerAction : body.inner()) {
        inner.add(find(innerAction, context, swaps, line));
        if (body.commits()) {
          context.batchCommitted();
        }
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
    LockFacts facts = new LockFacts(locks, rewrite, scan, !body.commits());
    ActionVerdict verdict = inner.stream().map(Finding::verdict).filter(v -> !v.safe())
        .findFirst()
        .map(v -> v.withReason("in the DO block: " + v.reason()))
        .orElse(ActionVerdict.safe(inner.isEmpty()
            ? "a DO block with no table DDL or DML zdm recognises"
            : body.commits()
                ? "a DO block that commits each batch: every batch is a short transaction of its"
                    + " own"
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
    Optional<Finding> unsafe = findings.stream().filter(f -> f.verdict().certainlyUnsafe())
        .findFirst()
        .or(() -> findings.stream().filter(f -> !f.verdict().safe()).findFirst());
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
        statement.metadata(),
        unsafe.map(f -> f.verdict().dependsOn()).orElse(null));
  }

  private static String display(TableRef table) {
    return table.schema() + "." + table.name();
  }
}
