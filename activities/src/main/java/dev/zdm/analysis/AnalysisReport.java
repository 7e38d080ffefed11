package dev.zdm.analysis;

import java.util.List;

/** What {@code zdm analyze} found in all the files it was given, in the order it read them. */
public record AnalysisReport(List<FileAnalysis> files) {
  public static final int EXIT_SAFE = 0;
  public static final int EXIT_UNSAFE = 1;
  public static final int EXIT_BAD_INPUT = 2;

  public AnalysisReport {
    files = List.copyOf(files);
  }

  /**
   * 2 when any file could not be read or parsed, else 1 when anything is unsafe for certain, else
   * 0 (a verdict that depends on the current schema does not fail the run; it is shown).
   */
  public int exitCode() {
    if (files.stream().anyMatch(f -> f.error() != null)) {
      return EXIT_BAD_INPUT;
    }
    return files.stream().anyMatch(f -> f.verdict().equals("unsafe")) ? EXIT_UNSAFE : EXIT_SAFE;
  }

  public long unsafeStatementCount() {
    return files.stream().flatMap(f -> f.statements().stream())
        .filter(s -> s.verdict().equals("unsafe")).count();
  }

  public long dependsStatementCount() {
    return files.stream().flatMap(f -> f.statements().stream())
        .filter(s -> s.verdict().equals("depends")).count();
  }
}
