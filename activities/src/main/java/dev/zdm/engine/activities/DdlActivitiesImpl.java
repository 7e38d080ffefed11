package dev.zdm.engine.activities;

import dev.zdm.activities.DdlActivities;
import dev.zdm.activities.DdlResult;
import dev.zdm.activities.DdlStatement;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.postgres.TransactionRules;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * Runs single statements from a plan through the {@link dev.zdm.postgres.StatementRunner}.
 * Statements outside a transaction (REINDEX CONCURRENTLY and its kin) may run for hours, without
 * statement_timeout: they run watched, heartbeating their progress, and a cancelled activity
 * cancels its backend, so a dead worker or a cancelled migration leaves no statement running.
 */
public class DdlActivitiesImpl implements DdlActivities {
  private final TargetDatabase database;

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
      // Long (CONCURRENTLY): heartbeats from a side thread, cancels its backend when cancelled.
      // An index build or drop takes the index's build lock and never drops a build still running.
      Optional<ConcurrentIndexDdl> index = ConcurrentIndexDdl.of(context, statement.sql());
      RepeatableDdl repeatable = new RepeatableDdl(context, statement.sql());
      database.runner().runWatched(context, (connection, watch) -> index.isPresent()
          ? index.get().run(connection, watch) : repeatable.run(connection));
    }
    return new DdlResult(
        statement.description(), (System.nanoTime() - started) / 1_000_000, attempt);
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
