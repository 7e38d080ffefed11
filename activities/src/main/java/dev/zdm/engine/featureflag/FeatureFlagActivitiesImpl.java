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
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;
import java.time.Duration;

/** A flag rollout's database steps: flag and history rows, and read-only guards. */
public class FeatureFlagActivitiesImpl implements FeatureFlagActivities {
  /** How often a reads gate on a flag looks at the flag's row. */
  static final Duration FLAG_POLL = Duration.ofSeconds(5);

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
  public FlagState awaitFull(String flag) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    while (true) {
      FlagState state;
      try {
        state = rows.read(flag).orElse(new FlagState(false, false, 0));
      } catch (SQLException e) {
        // Unreachable for a moment: the heartbeat keeps the wait alive, the next read may work.
        state = null;
      }
      if (state != null && state.effectivePercentage() >= 100) {
        return state;
      }
      // Throws when the workflow cancels the wait (a rollback), which ends it.
      context.heartbeat(state == null ? -1 : state.effectivePercentage());
      try {
        Thread.sleep(FLAG_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for flag " + flag, e);
      }
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
