package dev.zdm.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts a file's static analysis and its trace side by side. Where they disagree the trace wins:
 * PostgreSQL's error makes the file invalid, a rewrite or full scan under a lock that blocks
 * writes makes a statement unsafe, and a statement judged unsafe only for its lock (not for what
 * it does to the application or to rows) is safe when PostgreSQL neither rewrote nor scanned. Each
 * difference is listed: it is a rule to fix and a test to add.
 */
final class TraceComparison {
  /**
   * Kinds whose full-table reads are not the lock hazard the static scan fact describes (a copy
   * or a data change reads the table too), so their scans are not compared.
   */
  private static final Set<String> SCAN_NOT_COMPARED = Set.of(
      "create-table-as", "insert", "update", "delete", "select", "do-block", "other-ddl",
      "refresh-materialized-view", "refresh-materialized-view-concurrently", "lock-table",
      "create-table", "comment", "set-session", "set-lock-timeout");

  private TraceComparison() {}

  static FileAnalysis merge(FileAnalysis file, FileTrace trace) {
    return merge(file, trace, null);
  }

  /**
   * @param estimator with a target database, times each traced statement on the real table's
   *     size: a rewrite or scan that is short there is not a hazard; null without one
   */
  static FileAnalysis merge(FileAnalysis file, FileTrace trace, TracedDowntimeEstimator estimator) {
    List<String> disagreements = new ArrayList<>();
    if (trace.stopped() != null) {
      return withTrace(file, file.statements(), file.error(), trace);
    }
    if (file.error() != null && trace.error() == null) {
      disagreements.add("the file: zdm's reader refused it (" + file.error() + "); PostgreSQL ran"
          + " it: the trace's verdict is used");
      List<StatementAnalysis> traced = trace.statements().stream().map(TraceComparison::fromTrace)
          .toList();
      return withTrace(file, traced, null, trace.withDisagreements(disagreements));
    }
    if (file.error() == null && trace.error() != null) {
      disagreements.add("the file: zdm read it as valid; " + trace.error()
          + " (the trace wins: the migration fails there)");
      return withTrace(file, file.statements(), trace.error(),
          trace.withDisagreements(disagreements));
    }
    List<StatementAnalysis> statements = new ArrayList<>();
    Map<Integer, TracedEstimate> estimates = new java.util.HashMap<>();
    for (StatementAnalysis s : file.statements()) {
      TracedStatement t = trace.at(s.line());
      TracedEstimate estimate = estimator == null ? null
          : estimator.estimate(s, t, movesData(s)).orElse(null);
      if (estimate != null) {
        estimates.put(s.line(), estimate);
      }
      boolean smallEnough = estimate != null && estimate.complete()
          && estimate.estimate().lockMillis() < estimator.acceptableLockMillis();
      statements.add(t == null || t.error() != null ? s
          : compare(s, t, disagreements, smallEnough ? estimate : null));
    }
    return withTrace(file, statements, file.error(),
        trace.withEstimates(estimates).withDisagreements(disagreements));
  }

  /** @param small the traced estimate when it is under the acceptable lock time, else null */
  private static StatementAnalysis compare(StatementAnalysis s, TracedStatement t,
      List<String> disagreements, TracedEstimate small) {
    String prefix = "line " + s.line() + " (" + s.kind() + "): ";
    LockMode staticMode = significant(s.lockMode());
    LockMode tracedMode = tracedOwnLock(s, t);
    boolean onExistingTable = !t.locksTaken().isEmpty() || t.mainTableExisting();
    if (t.observed() && onExistingTable && staticMode != tracedMode) {
      disagreements.add(prefix + "lock: zdm says " + staticMode.pgName() + ", PostgreSQL took "
          + tracedMode.pgName() + describe(t.locksTaken()));
    }
    boolean rewrite = !t.rewritten().isEmpty();
    // A verdict that depends on the current type guesses the rewrite; the verdict says the rest.
    if ((t.mainTableExisting() || rewrite) && s.dependsOn() == null && rewrite != s.rewrite()) {
      disagreements.add(prefix + "rewrite: zdm says " + s.rewrite() + ", PostgreSQL "
          + (rewrite ? "rewrote " + String.join(", ", t.rewritten()) : "rewrote nothing"));
    }
    boolean scan = !rewrite && !t.scanned().isEmpty();
    if (t.observed() && !rewrite && !s.rewrite() && t.mainTableExisting() && s.dependsOn() == null
        && scan != s.scanUnderLock() && !SCAN_NOT_COMPARED.contains(s.kind())) {
      disagreements.add(prefix + "full scan: zdm says " + s.scanUnderLock() + ", PostgreSQL "
          + (scan ? "scanned " + String.join(", ", t.scanned()) : "scanned nothing"));
    }
    LockMode heldMode = t.locksHeld().values().stream().filter(LockMode::blocksWrites)
        .reduce(LockMode.NONE, LockMode::strongest);
    // On the scratch database's empty tables the planner scans whatever a query reads, so a scan
    // says nothing about how long a data-moving statement runs; DDL scans every row regardless.
    boolean movesData = movesData(s);
    boolean work = rewrite || (scan && !movesData);
    boolean tracedUnsafe = work && heldMode.blocksWrites() && small == null;
    if (tracedUnsafe && (s.safe() || s.dependsOn() != null)) {
      String reason = "traced: PostgreSQL " + (rewrite ? "rewrote " + String.join(", ",
          t.rewritten()) : "scanned " + String.join(", ", t.scanned())) + " while the transaction"
          + " held " + heldMode.pgName() + describe(t.locksHeld());
      if (s.safe()) {
        disagreements.add(prefix + "verdict: zdm says safe, the trace says unsafe (" + reason
            + ")");
      }
      return override(s, false, RecommendedStrategy.NOT_VALID_VALIDATE
          .dominant(s.strategy()), reason);
    }
    if (!tracedUnsafe && !s.safe() && t.observed() && onlyLockHazard(s)) {
      String reason = work && heldMode.blocksWrites()
          ? "traced: the table is small enough: estimated " + small.estimate().lockMillis()
              + " ms under the lock (" + small.estimate().basis() + ")"
          : "traced: PostgreSQL neither rewrote nor scanned a table under a lock that"
              + " blocks writes (" + (tracedMode == LockMode.NONE ? "no strong lock"
                  : tracedMode.pgName() + ", brief") + ")";
      if (s.dependsOn() == null) {
        // A verdict that said what it depends on was not wrong: the trace answers it.
        disagreements.add(prefix + "verdict: zdm says " + s.verdict() + ", the trace says safe ("
            + reason + ")");
      }
      return override(s, true, RecommendedStrategy.NONE, reason);
    }
    return s;
  }

  /**
   * The significant lock the statement took itself, as comparable with zdm's: a lock the
   * transaction held already counts as taken (the statement needed nothing new).
   */
  static LockMode tracedOwnLock(StatementAnalysis s, TracedStatement t) {
    LockMode staticMode = significant(s.lockMode());
    LockMode tracedMode = significant(t.strongestTaken());
    return tracedMode.compareTo(staticMode) < 0 && alreadyHeld(s, t, staticMode) ? staticMode
        : tracedMode;
  }

  /** True when the transaction already held {@code mode} or stronger on one of the statement's tables. */
  private static boolean alreadyHeld(StatementAnalysis s, TracedStatement t, LockMode mode) {
    if (s.kind().startsWith("drop-index") || s.kind().startsWith("reindex")) {
      // zdm names the index; PostgreSQL locks its table, which zdm cannot name without a catalog.
      return t.locksHeld().values().stream().anyMatch(held -> held.compareTo(mode) >= 0);
    }
    return s.tables().stream().map(t.locksHeld()::get)
        .anyMatch(held -> held != null && held.compareTo(mode) >= 0);
  }

  /** Unsafe only for how long a lock is held (not for the application or for row locks). */
  private static boolean onlyLockHazard(StatementAnalysis s) {
    return !movesData(s) && s.findings().stream().filter(f -> !f.verdict().safe())
        .allMatch(f -> f.verdict().sizeDependent());
  }

  /** Reads or writes rows (its cost is the data's, which an empty scratch table cannot show). */
  private static boolean movesData(StatementAnalysis s) {
    return java.util.Arrays.stream(s.kind().split(",")).anyMatch(DATA_MOVING::contains);
  }

  private static final Set<String> DATA_MOVING =
      Set.of("update", "delete", "insert", "select", "create-table-as", "do-block");

  /** Locks below SHARE UPDATE EXCLUSIVE never wait for or block the application: not compared. */
  static LockMode significant(LockMode mode) {
    return mode.compareTo(LockMode.SHARE_UPDATE_EXCLUSIVE) < 0 ? LockMode.NONE : mode;
  }

  private static String describe(Map<String, LockMode> locks) {
    if (locks.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    locks.forEach((table, mode) -> parts.add(table + " " + mode.pgName()));
    return " (" + String.join(", ", parts) + ")";
  }

  private static StatementAnalysis override(
      StatementAnalysis s, boolean safe, RecommendedStrategy strategy, String reason) {
    return new StatementAnalysis(s.line(), s.sql(), s.kind(), s.tables(), s.lockMode(),
        s.blocksReads(), s.blocksWrites(), s.rewrite(), s.scanUnderLock(), s.transactional(), safe,
        safe ? RecommendedStrategy.NONE : strategy, reason, safe ? null : s.saferSql(),
        s.estimate(), s.findings(), s.metadata(), null);
  }

  /** A statement zdm's reader refused but PostgreSQL ran: judged from the trace alone. */
  private static StatementAnalysis fromTrace(TracedStatement t) {
    LockMode mode = t.strongestTaken();
    boolean rewrite = !t.rewritten().isEmpty();
    boolean scan = !rewrite && !t.scanned().isEmpty();
    LockMode held = t.locksHeld().values().stream().reduce(LockMode.NONE, LockMode::strongest);
    boolean unsafe = (rewrite || scan) && held.blocksWrites();
    return new StatementAnalysis(t.line(), "", "traced", List.copyOf(t.locksTaken().keySet()),
        mode, mode.blocksReads(), mode.blocksWrites(), rewrite, scan, t.observed(), !unsafe,
        !unsafe ? RecommendedStrategy.NONE
            : rewrite ? RecommendedStrategy.BLUE_GREEN : RecommendedStrategy.NOT_VALID_VALIDATE,
        "read by PostgreSQL only (zdm's reader refused the file): "
            + (unsafe ? "rewrote or scanned under " + held.pgName() : "no rewrite or scan under a"
                + " lock that blocks writes"),
        null, null, List.of(), Map.of(), null);
  }

  private static FileAnalysis withTrace(FileAnalysis file, List<StatementAnalysis> statements,
      String error, FileTrace trace) {
    boolean safe = error == null && statements.stream().allMatch(StatementAnalysis::safe);
    RecommendedStrategy strategy = statements.stream().map(StatementAnalysis::strategy)
        .reduce(RecommendedStrategy.NONE, RecommendedStrategy::dominant);
    return new FileAnalysis(file.file(), safe, error == null ? strategy : RecommendedStrategy.NONE,
        error, error == null ? statements : List.of(), trace);
  }
}
