package dev.zdm.migration;

import dev.zdm.bluegreen.BlueGreenOperation;
import dev.zdm.droptable.DropTableOperation;
import dev.zdm.dualwrite.DualWriteOperation;
import dev.zdm.expandcontract.ExpandContractOperation;
import dev.zdm.featureflag.FeatureFlagOperation;
import dev.zdm.operation.StepOperations;
import dev.zdm.progressive.ConcurrentIndexOperation;
import dev.zdm.progressive.ProgressiveDmlOperation;
import dev.zdm.progressive.ValidatedConstraintOperation;
import java.util.List;

/** The one place that lists every kind of plan step zdm runs: add an operation here. */
public final class MigrationOperations {
  private MigrationOperations() {}

  public static StepOperations all() {
    return new StepOperations(List.of(
        new DirectOperation(),
        new ExpandContractOperation(),
        new DualWriteOperation(),
        new ProgressiveDmlOperation(),
        new ConcurrentIndexOperation(),
        new ValidatedConstraintOperation(),
        new BlueGreenOperation(),
        new FeatureFlagOperation(),
        new DropTableOperation()));
  }
}
