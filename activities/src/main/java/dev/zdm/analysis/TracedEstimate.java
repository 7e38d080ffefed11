package dev.zdm.analysis;

import java.util.List;

/**
 * The lock-time estimate of a traced statement: the lock PostgreSQL held and the work it did
 * (rewrite, full scan) on the scratch copy, times the target table's size from its statistics.
 *
 * @param changedFacts the facts the trace changed against the static rules, one line each (e.g.
 *     {@code rewrite: zdm says yes, PostgreSQL rewrote nothing}); empty when they agree
 * @param complete false when a table PostgreSQL rewrote or scanned has no statistics on the target
 *     (the estimate then covers the others only)
 */
public record TracedEstimate(
    DowntimeEstimate estimate, LockMode lock, List<String> changedFacts, boolean complete) {
  public TracedEstimate {
    changedFacts = List.copyOf(changedFacts);
  }
}
