package dev.zdm.model;

import dev.zdm.model.plan.FeatureFlagStep;
import dev.zdm.model.plan.Plan;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code zdm start} hands the parent workflow: the migration file as written plus the
 * strategy to use (null lets the planner choose), or, from {@code zdm flag start}, the flag
 * rollout that is the whole plan ({@code flagRollout}, null for a migration file). {@code
 * readsFlag} ({@code zdm start --reads-flag}) gates the reads stage of every dual-write of the
 * file on that flag's rollout; null keeps the deployment gate (or the file's own annotation).
 *
 * @param continueAsNewAfterEvents history length after which the parent continues as new between
 *     two steps; null takes {@link #DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS}
 * @param continued set only by the parent's own continue-as-new: what the next run carries on with
 */
public record MigrationRequest(
    String migrationId,
    String sourceName,
    String sql,
    Strategy strategy,
    MigrationOptions options,
    Integer continueAsNewAfterEvents,
    Continued continued,
    FeatureFlagStep flagRollout,
    String readsFlag) {

  /** Ids become part of workflow ids and ledger rows, so they stay short and printable. */
  public static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  /** Well under Temporal's 50k-event limit; a step adds tens of events to the parent, not thousands. */
  public static final int DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 10_000;
  /** Below this a run could not even plan and run one step before continuing again. */
  public static final int MIN_CONTINUE_AS_NEW_AFTER_EVENTS = 30;

  public MigrationRequest(
      String migrationId, String sourceName, String sql, Strategy strategy, MigrationOptions options) {
    this(migrationId, sourceName, sql, strategy, options, null, null, null, null);
  }

  /** A flag rollout ({@code zdm flag start}): the rollout is the whole plan. */
  public static MigrationRequest flagRollout(
      String migrationId, String sourceName, String sql, MigrationOptions options, FeatureFlagStep rollout) {
    return new MigrationRequest(
        migrationId, sourceName, sql, Strategy.FEATURE_FLAG, options, null, null, rollout, null);
  }

  public MigrationRequest withReadsFlag(String flag) {
    return new MigrationRequest(migrationId, sourceName, sql, strategy, options,
        continueAsNewAfterEvents, continued, flagRollout, flag);
  }

  public MigrationRequest {
    Objects.requireNonNull(migrationId, "migrationId");
    if (!VALID_ID.matcher(migrationId).matches()) {
      throw new IllegalArgumentException(
          "migration id '"
              + migrationId
              + "' must be 1-100 characters of letters, digits, '.', '_' or '-', starting with a"
              + " letter or digit");
    }
    Objects.requireNonNull(sql, "sql");
    if (readsFlag != null && !FeatureFlagStep.VALID_FLAG.matcher(readsFlag).matches()) {
      throw new IllegalArgumentException("--reads-flag '" + readsFlag + "' is not a flag name"
          + " (letters, digits, '.', '_' or '-')");
    }
    options = options == null ? MigrationOptions.defaults() : options;
    continueAsNewAfterEvents = continueAsNewAfterEvents == null
        ? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS : continueAsNewAfterEvents;
    if (continueAsNewAfterEvents < MIN_CONTINUE_AS_NEW_AFTER_EVENTS) {
      throw new IllegalArgumentException("continueAsNewAfterEvents must be at least "
          + MIN_CONTINUE_AS_NEW_AFTER_EVENTS + ", got " + continueAsNewAfterEvents);
    }
  }

  public MigrationRequest withContinueAsNewAfterEvents(int events) {
    return new MigrationRequest(migrationId, sourceName, sql, strategy, options, events, continued,
        flagRollout, readsFlag);
  }

  public MigrationRequest continuedAs(Continued next) {
    return new MigrationRequest(
        migrationId, sourceName, sql, strategy, options, continueAsNewAfterEvents, next,
        flagRollout, readsFlag);
  }

  /**
   * What one run of the parent hands the next on continue-as-new, as data: the next run rebuilds
   * the undo list of the steps before {@code nextStep} from the plan through their operations.
   *
   * @param plan the plan made by the first run (it is not made again)
   * @param nextStep the index in the plan of the step the next run starts with (all before it are done)
   * @param steps the status steps recorded so far
   * @param rollback a rollback requested and not yet acted on, or null
   * @param keptSignals controls that arrived while no step's workflow ran, for the next one
   */
  public record Continued(
      Plan plan, int nextStep, List<StepRecord> steps, RollbackRequest rollback,
      List<KeptSignal> keptSignals) {
    public Continued {
      Objects.requireNonNull(plan, "plan");
      steps = steps == null ? List.of() : List.copyOf(steps);
      keptSignals = keptSignals == null ? List.of() : List.copyOf(keptSignals);
    }
  }

  /** A control signal kept for the next step's workflow; at most one argument is set. */
  public record KeptSignal(String name, ThrottleRequest throttle, DeploymentSignal deployment) {
    public Object argument() {
      return throttle != null ? throttle : deployment;
    }
  }
}
