package dev.zdm.backfill;

/**
 * The live control of a running backfill as the workflow writes it to {@code _migration_control}
 * and the engine reads it before every batch.
 *
 * @param batchSize null lets the adaptive sizer choose; a value pins every batch to that size
 * @param delayMs null keeps the request's delay
 */
public record BatchControl(String migrationId, boolean paused, Integer batchSize, Integer delayMs) {}
