package dev.zdm.analysis;

/** {@code zdm analyze} for people: one block per unsafe statement, one line per safe file. */
public final class TextReportRenderer {

  public String render(AnalysisReport report) {
    StringBuilder out = new StringBuilder();
    int unsafeFiles = 0;
    for (FileAnalysis file : report.files()) {
      if (file.error() != null) {
        out.append("error   ").append(file.error()).append('\n');
        continue;
      }
      if (file.safe()) {
        out.append("safe    ").append(file.file()).append('\n');
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
    }
    long errors = report.files().stream().filter(f -> f.error() != null).count();
    out.append('\n').append(report.files().size()).append(" file(s): ")
        .append(unsafeFiles).append(" unsafe, ").append(errors).append(" unreadable, ")
        .append(report.unsafeStatementCount()).append(" unsafe statement(s)")
        .append(report.dependsStatementCount() == 0 ? ""
            : ", " + report.dependsStatementCount() + " depending on the current schema")
        .append('\n');
    return out.toString();
  }
}
