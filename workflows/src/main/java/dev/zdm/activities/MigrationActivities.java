package dev.zdm.activities;

import dev.zdm.model.MigrationRequest;
import dev.zdm.model.plan.Plan;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The parent workflow's own steps: turning the migration file into a plan it can run. */
@ActivityInterface
public interface MigrationActivities {

  /**
   * Parses the migration, checks it against the live database and plans it. Throws {@link
   * ZdmFailures#INVALID_MIGRATION} when it names something that does not exist or cannot be run;
   * changes nothing in the database.
   */
  @ActivityMethod(name = "PrepareMigration")
  Plan prepare(MigrationRequest request);

  /**
   * Claims the tables the plan touches (its steps' tables, and those a direct step's SQL names)
   * for this migration before its first step, in the ledger.
   * Throws {@link ZdmFailures#UNSAFE_MIGRATION} naming the migration that holds one of them, or
   * when the database already runs its maximum of migrations. A retry keeps its own claims.
   */
  @ActivityMethod(name = "ClaimTables")
  void claimTables(Plan plan);

  /** Releases the migration's table claims when it ends, however it ends. */
  @ActivityMethod(name = "ReleaseTables")
  void releaseTables(String migrationId);
}
