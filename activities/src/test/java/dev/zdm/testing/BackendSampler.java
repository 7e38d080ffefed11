package dev.zdm.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Samples pg_stat_activity every few milliseconds for index statements on one test schema: the
 * most CREATE INDEX that ran at once, and whether any DROP INDEX ran at all.
 */
public final class BackendSampler implements AutoCloseable {
  public static final long SAMPLE_MILLIS = 20;

  private static final String SQL =
      """
      SELECT count(*) FILTER (WHERE query ILIKE 'CREATE %INDEX%'),
             count(*) FILTER (WHERE query ILIKE 'DROP INDEX%')
        FROM pg_stat_activity
       WHERE state = 'active' AND pid <> pg_backend_pid() AND position(? IN query) > 0
      """;

  private final TestDatabase db;
  private final AtomicInteger maxCreates = new AtomicInteger();
  private final AtomicInteger dropSightings = new AtomicInteger();
  private final AtomicInteger samples = new AtomicInteger();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;

  public BackendSampler(TestDatabase db) {
    this.db = db;
    thread = new Thread(this::sample, "backend-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void sample() {
    try (Connection connection = db.connection(); PreparedStatement statement = connection.prepareStatement(SQL)) {
      statement.setString(1, db.schema());
      while (running) {
        try (ResultSet row = statement.executeQuery()) {
          row.next();
          maxCreates.accumulateAndGet(row.getInt(1), Math::max);
          dropSightings.addAndGet(row.getInt(2));
        }
        samples.incrementAndGet();
        Thread.sleep(SAMPLE_MILLIS);
      }
    } catch (SQLException | InterruptedException e) {
      failure.set(e);
    }
  }

  /** How many CREATE INDEX statements of the schema ran at the same time, at most. */
  public int maxConcurrentCreates() {
    return maxCreates.get();
  }

  /** Samples that saw a DROP INDEX of the schema running. */
  public int dropSightings() {
    return dropSightings.get();
  }

  public int samples() {
    return samples.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    if (failure.get() != null) {
      throw new IllegalStateException("sampling pg_stat_activity failed", failure.get());
    }
  }
}
