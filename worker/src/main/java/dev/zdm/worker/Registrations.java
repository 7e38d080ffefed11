package dev.zdm.worker;

import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.engine.bluegreen.BlueGreenActivitiesImpl;
import dev.zdm.engine.droptable.DropTableActivitiesImpl;
import dev.zdm.engine.dualwrite.DualWriteActivitiesImpl;
import dev.zdm.engine.expandcontract.ExpandContractActivitiesImpl;
import dev.zdm.engine.featureflag.FeatureFlagActivitiesImpl;
import dev.zdm.engine.migration.MigrationActivitiesImpl;
import dev.zdm.ledger.TableClaims;
import dev.zdm.migration.MigrationOperations;
import dev.zdm.migration.MigrationWorkflowImpl;
import dev.zdm.engine.progressive.ProgressiveActivitiesImpl;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.List;

/** The one list of what a zdm worker runs: every workflow type and every activity. */
public final class Registrations {
  private Registrations() {}

  public static List<Class<?>> workflowTypes() {
    List<Class<?>> types = new ArrayList<>();
    types.add(MigrationWorkflowImpl.class);
    types.addAll(MigrationOperations.all().workflowImplementations());
    return List.copyOf(types);
  }

  public static List<Object> activities(TargetDatabase database, int maxConcurrentMigrations) {
    return List.of(
        new MigrationActivitiesImpl(database, maxConcurrentMigrations),
        new DdlActivitiesImpl(database),
        new ExpandContractActivitiesImpl(database),
        new BackfillActivitiesImpl(database),
        new DualWriteActivitiesImpl(database),
        new ProgressiveActivitiesImpl(database),
        new BlueGreenActivitiesImpl(database),
        new FeatureFlagActivitiesImpl(database),
        new DropTableActivitiesImpl(database));
  }

  /** With the default limit of concurrent migrations ({@link TableClaims#DEFAULT_MAX_CONCURRENT_MIGRATIONS}). */
  public static void registerAll(Worker worker, TargetDatabase database) {
    registerAll(worker, database, TableClaims.DEFAULT_MAX_CONCURRENT_MIGRATIONS);
  }

  public static void registerAll(Worker worker, TargetDatabase database, int maxConcurrentMigrations) {
    worker.registerWorkflowImplementationTypes(workflowTypes().toArray(Class<?>[]::new));
    worker.registerActivitiesImplementations(activities(database, maxConcurrentMigrations).toArray());
  }
}
