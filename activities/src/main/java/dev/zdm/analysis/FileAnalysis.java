package dev.zdm.analysis;

import java.util.List;

/**
 * The analysis of one migration file.
 *
 * @param file the path as given on the command line (or found in a given directory)
 * @param error null, or why the file could not be read or parsed ({@code file:line: reason})
 * @param trace what PostgreSQL did with the file ({@code --trace}), or null
 */
public record FileAnalysis(
    String file,
    boolean safe,
    RecommendedStrategy recommendedStrategy,
    String error,
    List<StatementAnalysis> statements,
    FileTrace trace) {
  public FileAnalysis {
    statements = List.copyOf(statements);
  }

  /** A static analysis, not traced. */
  public FileAnalysis(String file, boolean safe, RecommendedStrategy recommendedStrategy,
      String error, List<StatementAnalysis> statements) {
    this(file, safe, recommendedStrategy, error, statements, null);
  }

  /** safe, unsafe, depends (only statements whose verdict hangs on the current schema) or error. */
  public String verdict() {
    if (error != null) {
      return "error";
    }
    if (safe) {
      return "safe";
    }
    return statements.stream().anyMatch(s -> s.verdict().equals("unsafe")) ? "unsafe" : "depends";
  }

  static FileAnalysis unreadable(String file, String error) {
    return new FileAnalysis(file, false, RecommendedStrategy.NONE, error, List.of());
  }
}
