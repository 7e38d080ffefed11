package dev.zdm.model.plan;

import dev.zdm.model.Strategy;
import dev.zdm.model.TableRef;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A durable flag rollout: {@code rollout_percentage} of {@code _migration_feature_flags} moves
 * through {@code steps}, soaking at each, guarded by read-only SQL, with approvals before the
 * steps listed in {@code approveAt}. Made by {@code zdm flag start}, never planned from SQL.
 *
 * @param flag the flag's name in {@code _migration_feature_flags}
 * @param steps the percentages, strictly increasing, each 1..100
 * @param soak how long each percentage holds before the next
 * @param guards SELECTs returning one boolean; false (or three failures in a row) rolls back
 * @param guardEvery how often the guards run while the rollout waits at a percentage
 * @param approveAt the steps that wait for {@code zdm approve} before the flag moves to them
 * @param requestedBy who started the rollout, for the flag's history
 */
public record FeatureFlagStep(
    String flag,
    List<Integer> steps,
    Duration soak,
    List<String> guards,
    Duration guardEvery,
    List<Integer> approveAt,
    String requestedBy)
    implements PlanStep {

  /** Flag names become part of the default migration id, so they follow its alphabet. */
  public static final Pattern VALID_FLAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,89}");
  public static final Duration DEFAULT_GUARD_EVERY = Duration.ofSeconds(30);

  public FeatureFlagStep {
    Objects.requireNonNull(flag, "flag");
    if (!VALID_FLAG.matcher(flag).matches()) {
      throw new IllegalArgumentException("flag name '" + flag + "' must be 1-90 characters of"
          + " letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a rollout needs at least one step, e.g. 5,25,50,100");
    }
    int previous = 0;
    for (int step : steps) {
      if (step < 1 || step > 100) {
        throw new IllegalArgumentException("step " + step + " % is outside 1..100");
      }
      if (step <= previous) {
        throw new IllegalArgumentException("steps must increase: " + step + " % comes after "
            + previous + " %");
      }
      previous = step;
    }
    soak = soak == null ? Duration.ZERO : soak;
    if (soak.isNegative()) {
      throw new IllegalArgumentException("soak must not be negative, got " + soak);
    }
    guards = guards == null ? List.of() : List.copyOf(guards);
    guardEvery = guardEvery == null ? DEFAULT_GUARD_EVERY : guardEvery;
    if (guardEvery.isNegative() || guardEvery.isZero()) {
      throw new IllegalArgumentException("guard-every must be positive, got " + guardEvery);
    }
    approveAt = approveAt == null ? List.of() : List.copyOf(approveAt);
    for (int approval : approveAt) {
      if (!steps.contains(approval)) {
        throw new IllegalArgumentException("approve-at " + approval + " % is not one of the steps "
            + steps);
      }
    }
    requestedBy = requestedBy == null || requestedBy.isBlank() ? "zdm" : requestedBy;
  }

  /** The migration id {@code zdm flag start} uses when none is given. */
  public static String defaultMigrationId(String flag) {
    return "flag-" + flag;
  }

  @Override
  public Strategy strategy() {
    return Strategy.FEATURE_FLAG;
  }

  /** A rollout changes a ledger row, not a table. */
  @Override
  public TableRef table() {
    return null;
  }

  @Override
  public String describe() {
    return "roll out flag " + flag + " through " + String.join(", ",
        steps.stream().map(step -> step + " %").toList()) + " (feature-flag)";
  }
}
