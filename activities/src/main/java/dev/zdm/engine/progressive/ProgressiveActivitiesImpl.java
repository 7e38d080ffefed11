package dev.zdm.engine.progressive;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.StatementRunner;
import dev.zdm.postgres.TargetDatabase;
import dev.zdm.progressive.IndexProgress;
import dev.zdm.progressive.ProgressiveActivities;
import dev.zdm.progressive.ProgressiveChange.IndexBuild;
import dev.zdm.progressive.ProgressiveChange.ValidatedConstraint;
import dev.zdm.progressive.ProgressiveChange;
import dev.zdm.progressive.ProgressiveRequest;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progressive's schema steps. CONCURRENTLY statements run outside a transaction (PostgreSQL
 * refuses them inside one, which is why the guide's DO block could not work); every step looks at
 * the catalog first, so a retry finds what the last attempt left and carries on from there.
 */
public class ProgressiveActivitiesImpl implements ProgressiveActivities {
  /** A concurrent build or a validation reads the whole table; neither blocks the application. */
  public static final Duration LONG_STATEMENT_TIMEOUT = Duration.ofHours(6);

  private static final Logger log = LoggerFactory.getLogger(ProgressiveActivitiesImpl.class);

  private final TargetDatabase database;

  public ProgressiveActivitiesImpl(TargetDatabase database) {
    this.database = database;
  }

  /**
   * Builds the index unless it is already VALID. The build heartbeats its progress, is cancelled
   * with the activity, and waits for a build of the same index that is still running (an earlier
   * attempt's, or anyone's) instead of dropping its index; see {@link IndexBuilds}.
   */
  @Override
  public void buildIndex(ProgressiveRequest request, String indexName, String where) {
    IndexBuild build = (IndexBuild) request.change();
    TableRef index = new TableRef(request.table().schema(), indexName);
    String predicate = where != null ? where : build.where();
    String sql = "CREATE %sINDEX CONCURRENTLY %s ON %s %s%s".formatted(
        build.unique() ? "UNIQUE " : "",
        Identifiers.quote(indexName),
        Identifiers.quote(request.table()),
        build.definition(),
        predicate == null ? "" : " WHERE " + predicate);
    database.runner().runWatched(
        context(request, "create index " + indexName + " concurrently", false, LONG_STATEMENT_TIMEOUT),
        (connection, watch) -> {
          new IndexBuilds(request.migrationId(), index).build(connection, watch, sql);
          return null;
        });
    log.info("[{}] index {} is built and valid", request.migrationId(), index);
  }

  @Override
  public IndexProgress indexProgress(ProgressiveRequest request) {
    String sql =
        """
        SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total
          FROM pg_stat_progress_create_index
         WHERE relid = to_regclass(?)
        """;
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, Identifiers.quote(request.table()));
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return new IndexProgress(false, null, 0, 0, 0, 0);
        }
        return new IndexProgress(
            true, row.getString(1), row.getLong(2), row.getLong(3), row.getLong(4), row.getLong(5));
      }
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure(
          "[" + request.migrationId() + "] cannot read index build progress: " + e.getMessage(),
          "TransientSqlError");
    }
  }

  @Override
  public void dropIndex(ProgressiveRequest request, String indexName) {
    TableRef index = new TableRef(request.table().schema(), indexName);
    database.runner().runWatched(
        context(request, "drop index " + indexName + " concurrently", false, LONG_STATEMENT_TIMEOUT),
        (connection, watch) -> {
          new IndexBuilds(request.migrationId(), index).drop(connection, watch);
          return null;
        });
  }

  @Override
  public int lockWaiters(ProgressiveRequest request) {
    try (Connection connection = database.dataSource().getConnection()) {
      return new Catalog(connection).lockWaiters(request.table());
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure(
          "[" + request.migrationId() + "] cannot read pg_locks: " + e.getMessage(), "TransientSqlError");
    }
  }

  @Override
  public void attachConstraint(ProgressiveRequest request) {
    IndexBuild build = (IndexBuild) request.change();
    String kind = build.attachAs() == ProgressiveChange.Attach.PRIMARY_KEY ? "PRIMARY KEY" : "UNIQUE";
    database.runner().run(context(request, "attach " + build.constraintName(), true, request.options().statementTimeout()),
        connection -> {
          if (new Catalog(connection).constraintValidated(request.table(), build.constraintName()).isEmpty()) {
            StatementRunner.executeAll(connection, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s".formatted(
                Identifiers.quote(request.table()), Identifiers.quote(build.constraintName()), kind,
                Identifiers.quote(build.name())));
          }
          return null;
        });
  }

  @Override
  public void addConstraintNotValid(ProgressiveRequest request) {
    ValidatedConstraint constraint = (ValidatedConstraint) request.change();
    database.runner().run(context(request, "add " + constraint.name() + " NOT VALID", true, request.options().statementTimeout()),
        connection -> {
          if (new Catalog(connection).constraintValidated(request.table(), constraint.name()).isEmpty()) {
            StatementRunner.executeAll(connection, "ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID".formatted(
                Identifiers.quote(request.table()), Identifiers.quote(constraint.name()), constraint.definition()));
          }
          return null;
        });
  }

  @Override
  public void validateConstraint(ProgressiveRequest request) {
    ValidatedConstraint constraint = (ValidatedConstraint) request.change();
    // A VALIDATE still running elsewhere holds SHARE UPDATE EXCLUSIVE: this one then fails on
    // lock_timeout and is retried with backoff, i.e. it waits for that one without queueing.
    database.runner().runWatched(context(request, "validate " + constraint.name(), true, LONG_STATEMENT_TIMEOUT),
        (connection, watch) -> {
          Optional<Boolean> validated = new Catalog(connection).constraintValidated(request.table(), constraint.name());
          if (validated.isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure(
                "[" + request.migrationId() + "] constraint " + constraint.name() + " vanished before validation",
                ZdmFailures.INVALID_MIGRATION);
          }
          if (!validated.get()) {
            StatementRunner.executeAll(connection, "ALTER TABLE %s VALIDATE CONSTRAINT %s".formatted(
                Identifiers.quote(request.table()), Identifiers.quote(constraint.name())));
          }
          return null;
        });
  }

  @Override
  public void dropConstraint(ProgressiveRequest request) {
    String name = request.change() instanceof ValidatedConstraint constraint
        ? constraint.name()
        : ((IndexBuild) request.change()).constraintName();
    database.runner().execute(
        context(request, "drop constraint " + name, true, request.options().statementTimeout()),
        "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s".formatted(Identifiers.quote(request.table()), Identifiers.quote(name)));
  }



  private static StatementContext context(
      ProgressiveRequest request, String description, boolean transactional, Duration statementTimeout) {
    StatementContext context = StatementContext.forStep(request.migrationId(), description, request.options())
        .withStatementTimeout(statementTimeout);
    return transactional ? context : context.outsideTransaction();
  }

}
