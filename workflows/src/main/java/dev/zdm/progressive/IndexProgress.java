package dev.zdm.progressive;

/** One reading of {@code pg_stat_progress_create_index} for the table; {@code running} false when no build is under way. */
public record IndexProgress(
    boolean running, String phase, long blocksDone, long blocksTotal, long tuplesDone, long tuplesTotal) {}
