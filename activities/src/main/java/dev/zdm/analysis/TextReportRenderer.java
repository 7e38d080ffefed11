package dev.zdm.analysis;

/** {@code zdm analyze} for people: one block per unsafe statement, one line per safe file. */
public final class TextReportRenderer {

  /** Static and traced facts side by side, then the disagreements (trace mode only). */
  private static void trace(StringBuilder out, FileAnalysis file) {
    FileTrace trace = file.trace();
    if (trace == null) {
      return;
    }
    if (trace.stopped() != null) {
      out.append("    traced: ").append(trace.stopped()).append('\n');
      return;
    }
    for (StatementAnalysis s : file.statements()) {
      TracedStatement t = trace.at(s.line());
      out.append("    ").append(s.line()).append(' ').append(s.kind()).append(": static ")
          .append(s.verdict()).append(", ").append(s.lockMode().pgName())
          .append(s.rewrite() ? ", rewrite" : "").append(s.scanUnderLock() ? ", scan" : "")
          .append("  |  traced ");
      if (t == null) {
        out.append("(not run)");
      } else if (!t.observed()) {
        out.append("ran outside a transaction").append(t.rewritten().isEmpty() ? "" : ", rewrite");
      } else {
        LockMode held = s.tables().stream().map(t.locksHeld()::get)
            .filter(java.util.Objects::nonNull).reduce(LockMode.NONE, LockMode::strongest);
        out.append(t.strongestTaken() == LockMode.NONE && held != LockMode.NONE
                ? held.pgName() + " (held already)" : t.strongestTaken().pgName())
            .append(t.rewritten().isEmpty() ? "" : ", rewrote " + String.join(", ", t.rewritten()))
            .append(t.scanned().isEmpty() ? "" : ", scanned " + String.join(", ", t.scanned()));
      }
      out.append('\n');
      if (t != null && t.estimate() != null) {
        estimates(out, s.estimate(), t.estimate());
      }
    }
    for (String disagreement : trace.disagreements()) {
      out.append("    DISAGREES ").append(disagreement).append('\n');
    }
  }

  /** The static estimate beside the traced one, and what the trace changed to get it. */
  private static void estimates(StringBuilder out, DowntimeEstimate fixed, TracedEstimate traced) {
    out.append("      estimate: static ")
        .append(fixed == null ? "none" : "~" + fixed.lockMillis() + " ms")
        .append("  |  traced ~").append(traced.estimate().lockMillis()).append(" ms under ")
        .append(traced.lock().pgName()).append(" (").append(traced.estimate().basis())
        .append(")\n");
    for (String fact : traced.changedFacts()) {
      out.append("      the trace changed ").append(fact).append('\n');
    }
  }

  public String render(AnalysisReport report) {
    StringBuilder out = new StringBuilder();
    int unsafeFiles = 0;
    for (FileAnalysis file : report.files()) {
      if (file.error() != null) {
        out.append("error   ").append(file.error()).append('\n');
        trace(out, file);
        continue;
      }
      if (file.safe()) {
        out.append("safe    ").append(file.file()).append('\n');
        trace(out, file);
        continue;
      }
      boolean depends = file.verdict().equals("depends");
      if (depends) {
        out.append("DEPENDS ").append(file.file()).append("  (on the current schema; if unsafe: ")
            .append(file.recommendedStrategy().displayName()).append(")\n");
      } else {
        unsafeFiles++;
        out.append("UNSAFE  ").append(file.file()).append("  (recommended strategy: ")
            .append(file.recommendedStrategy().displayName()).append(")\n");
      }
      for (StatementAnalysis s : file.statements()) {
        if (s.safe()) {
          continue;
        }
        out.append("  ").append(file.file()).append(':').append(s.line()).append(": ")
            .append(s.kind()).append(" on ").append(String.join(", ", s.tables()))
            .append(s.dependsOn() != null ? "  (depends)" : "")
            .append('\n');
        if (s.dependsOn() != null) {
          out.append("    depends on: ").append(s.dependsOn()).append('\n');
        }
        out.append("    lock: ").append(s.lockMode().pgName())
            .append(s.blocksReads() ? ", blocks reads" : "")
            .append(s.blocksWrites() ? ", blocks writes" : "")
            .append(s.rewrite() ? ", rewrites the table" : "")
            .append(s.scanUnderLock() ? ", scans the table under the lock" : "")
            .append('\n');
        out.append("    why:  ").append(s.reason()).append('\n');
        if (s.estimate() != null) {
          out.append("    estimate: ~").append(s.estimate().lockMillis()).append(" ms under the lock (")
              .append(s.estimate().basis()).append(")\n");
        }
        out.append("    do:   ").append(s.strategy().displayName()).append('\n');
        if (s.saferSql() != null) {
          for (String line : s.saferSql().split("\n")) {
            out.append("          ").append(line).append('\n');
          }
        }
      }
      trace(out, file);
    }
    long errors = report.files().stream().filter(f -> f.error() != null).count();
    long disagreements = report.files().stream().filter(f -> f.trace() != null)
        .mapToLong(f -> f.trace().disagreements().size()).sum();
    if (report.files().stream().anyMatch(f -> f.trace() != null)) {
      out.append('\n').append(disagreements).append(" disagreement(s) between zdm's rules and"
          + " PostgreSQL (each one is a rule to fix)");
    }
    out.append('\n').append(report.files().size()).append(" file(s): ")
        .append(unsafeFiles).append(" unsafe, ").append(errors).append(" unreadable, ")
        .append(report.unsafeStatementCount()).append(" unsafe statement(s)")
        .append(report.dependsStatementCount() == 0 ? ""
            : ", " + report.dependsStatementCount() + " depending on the current schema")
        .append('\n');
    return out.toString();
  }
}
