package dev.zdm.client;

import dev.zdm.error.ZdmException;
import dev.zdm.featureflag.FlagSetRequest;
import dev.zdm.model.HumanDuration;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationRequest;
import dev.zdm.model.plan.FeatureFlagStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what {@code zdm flag start} and {@code zdm flag set} were given into requests, refusing
 * bad input (exit 2) with a message naming it before anything is sent. Guards are checked against
 * the database by the worker when it plans the rollout.
 */
public final class FlagRolloutRequests {
  private FlagRolloutRequests() {}

  public static MigrationRequest start(String flag, String steps, String soak, List<String> guards,
      String guardEvery, String approveAt, String id, String requestedBy) {
    if (flag == null || !FeatureFlagStep.VALID_FLAG.matcher(flag).matches()) {
      throw ZdmException.badInput("flag name '" + flag + "' must be 1-90 characters of letters,"
          + " digits, '.', '_' or '-', starting with a letter or digit");
    }
    FeatureFlagStep rollout;
    try {
      rollout = new FeatureFlagStep(flag, percentages("--steps", steps),
          soak == null ? Duration.ZERO : HumanDuration.parse(soak), guards,
          guardEvery == null ? null : HumanDuration.parse(guardEvery),
          approveAt == null ? List.of() : percentages("--approve-at", approveAt), requestedBy);
    } catch (IllegalArgumentException e) {
      throw ZdmException.badInput("flag " + flag + ": " + e.getMessage());
    }
    String migrationId = id == null ? FeatureFlagStep.defaultMigrationId(flag) : id;
    try {
      return MigrationRequest.flagRollout(migrationId, "flag " + flag, "-- rollout of flag " + flag,
          MigrationOptions.defaults(), rollout);
    } catch (IllegalArgumentException e) {
      throw ZdmException.badInput(e.getMessage());
    }
  }

  public static FlagSetRequest set(String percent, String reason, String requestedBy, boolean allowDecrease) {
    return new FlagSetRequest(percentage("PERCENT", percent), reason, requestedBy, allowDecrease);
  }

  private static List<Integer> percentages(String option, String text) {
    if (text == null || text.isBlank()) {
      throw ZdmException.badInput(option + " needs percentages, e.g. 5,25,50,100");
    }
    List<Integer> values = new ArrayList<>();
    for (String part : text.split(",")) {
      values.add(percentage(option, part));
    }
    return values;
  }

  private static int percentage(String what, String text) {
    String value = text == null ? "" : text.strip();
    if (value.endsWith("%")) {
      value = value.substring(0, value.length() - 1).strip();
    }
    int percentage;
    try {
      percentage = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ZdmException.badInput(what + ": '" + text + "' is not a percentage (a whole number 0..100)");
    }
    if (percentage < 0 || percentage > 100) {
      throw ZdmException.badInput(what + ": " + percentage + " is outside 0..100");
    }
    return percentage;
  }
}
