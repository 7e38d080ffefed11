package dev.zdm.postgres;

import java.util.List;

/**
 * What a long statement is doing, sent as its activity's heartbeat details (so the Temporal Web UI
 * and {@code zdm status} can show it): read from {@code pg_stat_activity} and, for index builds and
 * table rewrites, {@code pg_stat_progress_create_index} / {@code pg_stat_progress_cluster}.
 *
 * @param description the step, as the runner logs it
 * @param pid the backend observed: the statement's own, or a build it waits for
 * @param phase the progress view's phase, else "running", "waiting for a lock" or "idle"
 * @param waitEvent {@code wait_event_type:wait_event} of that backend, or null
 * @param blockedBy backends holding the locks it waits for ({@code pg_blocking_pids})
 * @param elapsedMillis since the step began watching, including waits for other builds
 */
public record StatementProgress(
    String migrationId,
    String description,
    int pid,
    String phase,
    String waitEvent,
    List<Integer> blockedBy,
    long blocksDone,
    long blocksTotal,
    long tuplesDone,
    long tuplesTotal,
    long elapsedMillis) {

  public StatementProgress {
    blockedBy = blockedBy == null ? List.of() : List.copyOf(blockedBy);
  }

  /** What is known when the progress views could not be read. */
  static StatementProgress unread(String migrationId, String description, int pid, String phase, long elapsedMillis) {
    return new StatementProgress(migrationId, description, pid, phase, null, List.of(), 0, 0, 0, 0, elapsedMillis);
  }
}
