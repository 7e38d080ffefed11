package dev.zdm.analysis;

/**
 * Whether one action is safe to run as written on a live table, and if not what to do instead.
 *
 * @param reason one sentence: why it is (un)safe
 * @param saferSql the statement(s) to run instead, or null when it is safe
 * @param sizeDependent the hazard is only the time the lock is held, so a small enough table makes
 *     it acceptable (decided with a downtime estimate when a database is given)
 */
public record ActionVerdict(
    boolean safe,
    RecommendedStrategy strategy,
    String reason,
    String saferSql,
    boolean sizeDependent) {

  static ActionVerdict safe(String reason) {
    return new ActionVerdict(true, RecommendedStrategy.NONE, reason, null, false);
  }

  static ActionVerdict unsafe(RecommendedStrategy strategy, String reason, String saferSql) {
    return new ActionVerdict(false, strategy, reason, saferSql, false);
  }

  static ActionVerdict slow(RecommendedStrategy strategy, String reason, String saferSql) {
    return new ActionVerdict(false, strategy, reason, saferSql, true);
  }

  ActionVerdict withReason(String newReason) {
    return new ActionVerdict(safe, strategy, newReason, saferSql, sizeDependent);
  }
}
