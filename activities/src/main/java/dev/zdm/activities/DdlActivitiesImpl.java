package dev.zdm.activities;

import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.postgres.TransactionRules;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs single statements from a plan through the {@link dev.zdm.postgres.StatementRunner}.
 * Statements outside a transaction (CREATE INDEX CONCURRENTLY and its kin) may run for hours: they
 * run on a thread of their own, without statement_timeout, while the activity heartbeats, so a
 * dead worker is noticed within the heartbeat timeout rather than the build's length.
 */
public class DdlActivitiesImpl implements DdlActivities {
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

  private final TargetDatabase database;
  private final ExecutorService longStatements =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "zdm-long-statement");
            thread.setDaemon(true);
            return thread;
          });

  public DdlActivitiesImpl(TargetDatabase database) {
    this.database = database;
  }

  @Override
  public DdlResult runDdl(DdlStatement statement) {
    // A plan may mark a statement transactional by mistake; PostgreSQL would refuse it.
    boolean transactional =
        statement.transactional() && TransactionRules.mayRunInTransaction(statement.sql());
    int attempt = CurrentAttempt.number();
    StatementContext context =
        new StatementContext(
            statement.migrationId(),
            statement.description(),
            transactional,
            statement.lockTimeout(),
            transactional ? statement.statementTimeout() : Duration.ZERO,
            attempt);
    long started = System.nanoTime();
    if (transactional) {
      run(context, statement.sql());
    } else {
      runWhileHeartbeating(context, statement.sql());
    }
    return new DdlResult(
        statement.description(), (System.nanoTime() - started) / 1_000_000, attempt);
  }

  private void runWhileHeartbeating(StatementContext context, String sql) {
    Future<?> running = longStatements.submit(() -> run(context, sql));
    while (true) {
      try {
        running.get(HEARTBEAT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException stillRunning) {
        Heartbeat.beat(context.description());
      } catch (ExecutionException failed) {
        if (failed.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        throw new IllegalStateException(failed.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while " + context.description(), e);
      }
    }
  }

  /** Through the runner, and harmless when a retry meets what an earlier attempt did. */
  private void run(StatementContext context, String sql) {
    database.runner().run(context, new RepeatableDdl(context, sql));
  }

  @Override
  public boolean breakerClosed(String migrationId) {
    try (Connection connection = database.dataSource().getConnection()) {
      boolean open = database.breaker().isOpen(connection);
      database.metrics().breakerState(open);
      return !open;
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure(
          "[" + migrationId + "] cannot read the circuit breaker: " + e.getMessage(),
          "TransientSqlError");
    }
  }
}
