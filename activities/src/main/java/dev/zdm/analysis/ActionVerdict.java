package dev.zdm.analysis;

/**
 * Whether one action is safe to run as written on a live table, and if not what to do instead.
 *
 * @param reason one sentence: why it is (un)safe
 * @param saferSql the statement(s) to run instead, or null when it is safe
 * @param sizeDependent the hazard is only the time the lock is held, so a small enough table makes
 *     it acceptable (decided with a downtime estimate when a database is given)
 * @param dependsOn null, or what the verdict hangs on that the analysis could not see ("the current
 *     type of users.name: safe if ..."): the action is then neither called safe nor unsafe; it is
 *     planned as unsafe, but does not fail {@code zdm analyze}
 */
public record ActionVerdict(
    boolean safe,
    RecommendedStrategy strategy,
    String reason,
    String saferSql,
    boolean sizeDependent,
    String dependsOn) {

  static ActionVerdict safe(String reason) {
    return new ActionVerdict(true, RecommendedStrategy.NONE, reason, null, false, null);
  }

  static ActionVerdict unsafe(RecommendedStrategy strategy, String reason, String saferSql) {
    return new ActionVerdict(false, strategy, reason, saferSql, false, null);
  }

  static ActionVerdict slow(RecommendedStrategy strategy, String reason, String saferSql) {
    return new ActionVerdict(false, strategy, reason, saferSql, true, null);
  }

  /** Unsafe unless {@code condition} holds, which the analysis cannot see. */
  static ActionVerdict depends(
      RecommendedStrategy strategy, String condition, String reason, String saferSql) {
    return new ActionVerdict(false, strategy, reason, saferSql, true, condition);
  }

  ActionVerdict withReason(String newReason) {
    return new ActionVerdict(safe, strategy, newReason, saferSql, sizeDependent, dependsOn);
  }

  /** Unsafe for certain (not only without knowing the current schema). */
  boolean certainlyUnsafe() {
    return !safe && dependsOn == null;
  }
}
