package dev.zdm.analysis;

/**
 * How long a lock would be held, as an estimate with the numbers it rests on.
 *
 * @param lockMillis the estimated time the blocking lock is held
 * @param basis e.g. "orders: 1.2 GB, ~10,000,000 rows (pg_class); rewrite 180 MB/s measured here"
 */
public record DowntimeEstimate(long lockMillis, String basis) {}
