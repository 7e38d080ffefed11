package dev.zdm.featureflag;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** A flag rollout's database steps; each is safe to run again (history rows are keyed). */
@ActivityInterface
public interface FeatureFlagActivities {

  /**
   * Creates the flag row when missing (disabled, 0 %) and records change 0 of this rollout with
   * what was there before; a retry reads that record back instead of the row it changed.
   */
  @ActivityMethod(name = "FlagBegin")
  FlagBeginning begin(FlagStart start);

  /** Writes the flag row and its history row in one transaction; a repeat writes nothing. */
  @ActivityMethod(name = "FlagChange")
  FlagState change(FlagChange change);

  /**
   * Returns once the flag is enabled at 100 %, reading its row every few seconds and heartbeating
   * the percentage: a dual-write's reads gate waits here without growing its history.
   */
  @ActivityMethod(name = "FlagAwaitFull")
  FlagState awaitFull(String flag);

  /** Runs one guard read-only; its failure is returned, not thrown. */
  @ActivityMethod(name = "FlagGuard")
  GuardResult checkGuard(GuardCheck check);
}
