package dev.zdm.analysis;

import java.util.List;

/**
 * The trace of one file and how it compares with the static analysis.
 *
 * @param statements what PostgreSQL did, statement by statement, up to the first error
 * @param error {@code file:line: PostgreSQL says ...} when a statement failed as written, else null
 * @param stopped why the trace could not judge the file (an object the schema would have had),
 *     else null; a stopped trace does not override anything
 * @param disagreements where the static verdict and the trace differ (the trace wins), one line
 *     each: {@code line N: ...}
 */
public record FileTrace(
    List<TracedStatement> statements, String error, String stopped, List<String> disagreements) {
  public FileTrace {
    statements = List.copyOf(statements);
    disagreements = List.copyOf(disagreements);
  }

  /** The traced statement at {@code line}, or null. */
  public TracedStatement at(int line) {
    return statements.stream().filter(s -> s.line() == line).findFirst().orElse(null);
  }

  /** The same trace with each statement's estimate, by line (lines without one keep none). */
  FileTrace withEstimates(java.util.Map<Integer, TracedEstimate> estimates) {
    return new FileTrace(statements.stream()
        .map(s -> estimates.containsKey(s.line()) ? s.withEstimate(estimates.get(s.line())) : s)
        .toList(), error, stopped, disagreements);
  }

  FileTrace withDisagreements(List<String> found) {
    return new FileTrace(statements, error, stopped, found);
  }
}
