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
}
