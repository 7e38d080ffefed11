package dev.zdm.engine.featureflag;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.featureflag.FeatureFlagActivities;
import dev.zdm.featureflag.FlagBeginning;
import dev.zdm.featureflag.FlagChange;
import dev.zdm.featureflag.FlagStart;
import dev.zdm.featureflag.FlagState;
import dev.zdm.featureflag.GuardCheck;
import dev.zdm.featureflag.GuardResult;
import dev.zdm.postgres.TargetDatabase;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;

/** A flag rollout's database steps: flag and history rows, and read-only guards. */
public class FeatureFlagActivitiesImpl implements FeatureFlagActivities {
  private final FlagRows rows;
  private final GuardRunner guards;

  public FeatureFlagActivitiesImpl(TargetDatabase database) {
    this.rows = new FlagRows(database.dataSource(), database.ledger());
    this.guards = new GuardRunner(database.dataSource());
  }

  @Override
  public FlagBeginning begin(FlagStart start) {
    try {
      return rows.begin(start);
    } catch (SQLException e) {
      throw transientFailure(start.migrationId(), start.flag(), e);
    }
  }

  @Override
  public FlagState change(FlagChange change) {
    try {
      return rows.change(change);
    } catch (FlagRows.FlagMissing missing) {
      throw ApplicationFailure.newNonRetryableFailure(missing.getMessage(), ZdmFailures.SQL_REFUSED);
    } catch (SQLException e) {
      throw transientFailure(change.migrationId(), change.flag(), e);
    }
  }

  @Override
  public GuardResult checkGuard(GuardCheck check) {
    return guards.run(check);
  }

  private static ApplicationFailure transientFailure(String migrationId, String flag, SQLException e) {
    return ApplicationFailure.newFailure(
        "[" + migrationId + "] cannot write flag " + flag + ": " + e.getMessage(), "TransientSqlError");
  }
}
