package dev.zdm.engine.migration;

import dev.zdm.activities.MigrationActivities;
import dev.zdm.activities.ZdmFailures;
import dev.zdm.analysis.CatalogColumnTypes;
import dev.zdm.analysis.MigrationScript;
import dev.zdm.analysis.SqlSplitter;
import dev.zdm.engine.featureflag.GuardValidator;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.ledger.TableClaims;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.plan.Plan;
import dev.zdm.planning.CatalogPriorState;
import dev.zdm.planning.MigrationPlanner;
import dev.zdm.postgres.SqlFailures;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Parses, plans and checks a migration against the live database (changing nothing in it), and
 * claims and releases the tables it touches in the ledger.
 */
public class MigrationActivitiesImpl implements MigrationActivities {
  private final TargetDatabase database;
  private final MigrationPlanner planner = new MigrationPlanner();
  private final PlanValidator validator;
  private final TableClaims claims;
  private final PlanTables tables = new PlanTables();

  public MigrationActivitiesImpl(TargetDatabase database) {
    this(database, TableClaims.DEFAULT_MAX_CONCURRENT_MIGRATIONS);
  }

  public MigrationActivitiesImpl(TargetDatabase database, int maxConcurrentMigrations) {
    this.database = database;
    this.validator = new PlanValidator(database.ledger());
    this.claims = new TableClaims(database.dataSource(), database.ledger(), maxConcurrentMigrations);
  }

  @Override
  public void claimTables(Plan plan) {
    String migrationId = plan.migrationId();
    try {
      claims.claim(migrationId, tables.of(plan));
    } catch (ZdmException e) {
      String hint = e.hint() == null ? "" : " " + e.hint();
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage() + hint, ZdmFailures.UNSAFE_MIGRATION);
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure(
          "[" + migrationId + "] cannot claim its tables: " + e.getMessage(), "TransientSqlError");
    }
  }

  @Override
  public void releaseTables(String migrationId) {
    try {
      claims.release(migrationId);
    } catch (SQLException e) {
      String message = "[" + migrationId + "] cannot release its tables: " + e.getMessage()
          + " (SQLSTATE " + e.getSQLState() + ")";
      if (SqlFailures.isConnectionFailure(e)) {
        // Retried until PostgreSQL answers again: the workflow waits rather than leave its claim.
        throw ApplicationFailure.newFailure(message + "; retrying once it answers", ZdmFailures.CONNECTION_FAILED);
      }
      if (SqlFailures.isTransient(e)) {
        throw ApplicationFailure.newFailure(message, "TransientSqlError");
      }
      // E.g. DELETE revoked on the ledger: retrying will not help; the claim row stays and the
      // workflow says so (docs/runbooks.md gives the DELETE).
      throw ApplicationFailure.newNonRetryableFailure(message, ZdmFailures.SQL_REFUSED);
    }
  }

  @Override
  public Plan prepare(MigrationRequest request) {
    try {
      if (request.flagRollout() != null) {
        // A flag rollout is its own plan; its guards are checked here so bad ones stop the start.
        try (Connection connection = database.dataSource().getConnection()) {
          new GuardValidator().validate(connection, request.flagRollout().guards());
        }
        return new Plan(request.migrationId(), List.of(request.flagRollout()), List.of());
      }
      MigrationScript script = new SqlSplitter().split(request.sourceName(), request.sql());
      try (Connection connection = database.dataSource().getConnection()) {
        // The catalog gives the values a statement replaces, so its undo can put them back, and
        // the columns' current types, so a metadata-only type change is not planned as a rewrite.
        Plan plan = planner.withReadsFlag(planner.plan(request.migrationId(), script,
            request.strategy(), request.options().force(), new CatalogPriorState(connection),
            new CatalogColumnTypes(connection)), request.readsFlag());
        validator.validate(connection, plan);
        return plan;
      }
    } catch (ZdmException e) {
      if (e.code() == ErrorCode.UNREACHABLE) {
        throw ApplicationFailure.newFailure(e.getMessage(), "TransientSqlError");
      }
      String type =
          e.code() == ErrorCode.REFUSED ? ZdmFailures.UNSAFE_MIGRATION : ZdmFailures.INVALID_MIGRATION;
      String hint = e.hint() == null ? "" : " " + e.hint();
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage() + hint, type);
    } catch (SQLException e) {
      throw ApplicationFailure.newFailure(
          "[" + request.migrationId() + "] cannot check the migration against the database: "
              + e.getMessage(),
          "TransientSqlError");
    }
  }
}
