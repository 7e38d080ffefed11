package dev.zdm.fakes;

import dev.zdm.featureflag.FeatureFlagActivities;
import dev.zdm.featureflag.FlagBeginning;
import dev.zdm.featureflag.FlagChange;
import dev.zdm.featureflag.FlagStart;
import dev.zdm.featureflag.FlagState;
import dev.zdm.featureflag.GuardCheck;
import dev.zdm.featureflag.GuardResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The flag table and its history in memory, keyed as the real ones are: a change number seen
 * before writes nothing. Guards answer true unless the script says otherwise
 * ({@code "FlagGuard <sql>"}).
 */
public final class FakeFeatureFlag implements FeatureFlagActivities {
  private final ActivityScript script;
  private final Map<String, FlagState> flags = new ConcurrentHashMap<>();
  private final Map<String, FlagChange> history = new ConcurrentHashMap<>();
  private final List<FlagChange> ordered = new ArrayList<>();

  FakeFeatureFlag(ActivityScript script) {
    this.script = script;
  }

  /** A flag as it is before a rollout starts. */
  public void flag(String name, boolean enabled, int percentage) {
    flags.put(name, new FlagState(true, enabled, percentage));
  }

  public FlagState flag(String name) {
    return flags.get(name);
  }

  /** The percentages the flag was set to, in order (the start excluded). */
  public synchronized List<Integer> percentages(String flag) {
    return ordered.stream().filter(c -> c.flag().equals(flag)).map(FlagChange::percentage).toList();
  }

  public synchronized List<FlagChange> changes() {
    return List.copyOf(ordered);
  }

  @Override
  public FlagBeginning begin(FlagStart start) {
    return script.call("FlagBegin " + start.flag(), () -> {
      FlagState before = flags.getOrDefault(start.flag(), new FlagState(false, false, 0));
      flags.putIfAbsent(start.flag(), new FlagState(true, false, 0));
      return new FlagBeginning(before, flags.get(start.flag()));
    });
  }

  @Override
  public FlagState change(FlagChange change) {
    return script.call("FlagChange " + change.percentage(), () -> {
      synchronized (this) {
        String key = change.workflowId() + "#" + change.sequence();
        if (history.putIfAbsent(key, change) == null) {
          ordered.add(change);
          flags.put(change.flag(), new FlagState(true, change.enabled(), change.percentage()));
        }
        return flags.get(change.flag());
      }
    });
  }

  /** Returns at once when the flag is at 100 %, else as the script says (e.g. a gate). */
  @Override
  public FlagState awaitFull(String flag) {
    return script.call("FlagAwaitFull " + flag, () -> flags.get(flag));
  }

  @Override
  public GuardResult checkGuard(GuardCheck check) {
    return script.call("FlagGuard " + check.sql(), () -> GuardResult.of(true));
  }
}
