package dev.zdm.engine.activities;

import dev.zdm.analysis.Action;
import dev.zdm.analysis.InvalidSqlException;
import dev.zdm.analysis.SqlStatement;
import dev.zdm.analysis.StatementClassifier;
import dev.zdm.engine.activities.EndStateCheck.EndState;
import dev.zdm.postgres.ConnectionWork;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.StatementRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one plan statement so that running it twice is harmless. When an attempt's completion is
 * lost (the worker died after the commit, the activity timed out), the retry meets the object the
 * first attempt made and PostgreSQL says "already exists" (or, for a DROP, "does not exist").
 * On a retry (attempt > 1) that error counts as success only when the catalog shows exactly what
 * the statement was to leave behind: the column, the table, a valid index, the constraint, or
 * their absence. On attempt 1 the error stands: the file or the database is not what the user
 * thinks (docs/decisions/0312-repeatable-direct-steps.md). A build or drop of one named index
 * concurrently goes through {@link ConcurrentIndexDdl} instead, which waits for a build still
 * running rather than dropping it.
 */
public final class RepeatableDdl implements ConnectionWork<Void> {
  private static final Logger log = LoggerFactory.getLogger(RepeatableDdl.class);

  /** duplicate_column, duplicate_table (relations and indexes), duplicate_object, duplicate_schema. */
  static final Set<String> ALREADY_EXISTS = Set.of("42701", "42P07", "42710", "42P06");

  /** undefined_column, undefined_table, undefined_object. */
  static final Set<String> DOES_NOT_EXIST = Set.of("42703", "42P01", "42704");

  private final StatementContext context;
  private final String sql;

  public RepeatableDdl(StatementContext context, String sql) {
    this.context = context;
    this.sql = sql;
  }

  @Override
  public Void run(Connection connection) throws SQLException {
    if (context.attempt() <= 1) {
      StatementRunner.executeAll(connection, sql);
      return null;
    }
    // In a transaction the error aborts it: the savepoint lets the catalog still be read.
    Savepoint before = connection.getAutoCommit() ? null : connection.setSavepoint();
    try {
      StatementRunner.executeAll(connection, sql);
      return null;
    } catch (SQLException failure) {
      Optional<EndState> outcome = earlierAttemptsOutcome(failure);
      if (outcome.isEmpty()) {
        throw failure;
      }
      if (before != null) {
        connection.rollback(before);
      }
      Optional<String> shown = shownByCatalog(connection, outcome.get());
      if (shown.isEmpty()) {
        throw failure;
      }
      log.info("[{}] {}: attempt {} got '{}' (SQLSTATE {}), and the catalog shows {}: an earlier"
              + " attempt applied the statement, so this one counts as done",
          context.migrationId(), context.description(), context.attempt(), failure.getMessage(),
          failure.getSQLState(), shown.get());
      return null;
    }
  }

  /** The statement's actions as the analysis reads them; none when it cannot read it. */
  private List<Action> actions() {
    try {
      return new StatementClassifier().classify(new SqlStatement(1, sql, Map.of()));
    } catch (InvalidSqlException unreadable) {
      return List.of();
    }
  }

  /** The end state an earlier run would explain the error by, when it is that kind of error. */
  private static Optional<EndState> earlierAttemptsOutcome(SQLException failure) {
    if (ALREADY_EXISTS.contains(failure.getSQLState())) {
      return Optional.of(EndState.CREATED);
    }
    if (DOES_NOT_EXIST.contains(failure.getSQLState())) {
      return Optional.of(EndState.DROPPED);
    }
    return Optional.empty();
  }

  /**
   * What the catalog shows of the statement's end state, when it shows all of it; empty when any
   * action is one zdm cannot check, or is of the other outcome.
   */
  private Optional<String> shownByCatalog(Connection connection, EndState outcome)
      throws SQLException {
    List<String> shown = new ArrayList<>();
    for (Action action : actions()) {
      Optional<EndStateCheck> check = EndStateCheck.of(action);
      if (check.isEmpty() || check.get().endState() != outcome
          || !check.get().holds(connection)) {
        return Optional.empty();
      }
      shown.add(check.get().what());
    }
    return shown.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", shown));
  }
}
