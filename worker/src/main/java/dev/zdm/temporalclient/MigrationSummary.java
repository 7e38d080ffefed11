package dev.zdm.temporalclient;

import java.time.Instant;

/** One migration as {@code zdm list} shows it, read from Temporal's visibility records. */
public record MigrationSummary(
    String id,
    String workflowId,
    String state,
    String strategy,
    String table,
    String phase,
    String waitingFor,
    Instant startedAt,
    Instant closedAt) {}
