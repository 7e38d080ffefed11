package dev.zdm.model;

/**
 * Where a batched data step stands: rows done out of the estimated total, the current rate and
 * the live control settings.
 */
public record Progress(
    String step,
    long rowsDone,
    long rowsTotal,
    long batchesDone,
    double rowsPerSecond,
    Long etaSeconds,
    int batchSize,
    int delayMs,
    boolean paused,
    String throttledBecause) {}
