package dev.zdm.analysis;

import java.util.List;

/**
 * The analysis of one statement: the facts of its actions folded together (strongest lock, any
 * rewrite), and its verdict (unsafe when any action is).
 *
 * @param kind the action kinds, e.g. {@code add-column} or {@code add-column,add-constraint}
 * @param tables the tables touched, as schema-qualified display names
 * @param strategy the strategy for the first unsafe action, or none
 * @param saferSql what to run instead, or null when safe
 * @param estimate the lock-time estimate with its basis (null without a database)
 * @param metadata the statement's {@code -- @metadata} annotation (progressive options, backfill)
 * @param dependsOn null, or what an unsafe verdict hangs on that the analysis could not see (the
 *     current type of a column): such a statement is shown as "depends", not unsafe
 */
public record StatementAnalysis(
    int line,
    String sql,
    String kind,
    List<String> tables,
    LockMode lockMode,
    boolean blocksReads,
    boolean blocksWrites,
    boolean rewrite,
    boolean scanUnderLock,
    boolean transactional,
    boolean safe,
    RecommendedStrategy strategy,
    String reason,
    String saferSql,
    DowntimeEstimate estimate,
    List<Finding> findings,
    java.util.Map<String, Object> metadata,
    String dependsOn) {
  public StatementAnalysis {
    tables = List.copyOf(tables);
    findings = List.copyOf(findings);
    metadata = metadata == null ? java.util.Map.of() : metadata;
  }

  /** safe, unsafe or depends (unsafe unless {@link #dependsOn()} holds). */
  public String verdict() {
    return safe ? "safe" : dependsOn != null ? "depends" : "unsafe";
  }
}
