package dev.zdm.activities;

import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.postgres.TransactionRules;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;

/** Runs single statements from a plan through the {@link dev.zdm.postgres.StatementRunner}. */
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
            statement.statementTimeout(),
            attempt);
    long started = System.nanoTime();
    database.runner().execute(context, statement.sql());
    return new DdlResult(
        statement.description(), (System.nanoTime() - started) / 1_000_000, attempt);
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
