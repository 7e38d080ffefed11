package dev.zdm.migration;

import dev.zdm.backfill.BatchSettings;
import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
import dev.zdm.progressive.ProgressiveChange;
import dev.zdm.progressive.ProgressiveRequest;
import java.time.Duration;

/** Turns a planned step into the request of the strategy workflow that runs it (pure data). */
final class StepRequests {
  private StepRequests() {}

  static DualWriteRequest dualWrite(String migrationId, DualWriteStep step, MigrationOptions options) {
    DualWriteKind kind = switch (step.kind()) {
      case RENAME -> DualWriteKind.RENAME_COLUMN;
      case CHANGE_TYPE -> DualWriteKind.CHANGE_TYPE;
      case ADD_NOT_NULL -> DualWriteKind.ADD_NOT_NULL;
    };
    return new DualWriteRequest(
        migrationId, kind, step.table(), step.oldColumn(), step.newColumn(), step.newType(),
        step.forwardExpression(), step.backwardExpression(), null, BatchSettings.defaults(),
        options, null);
  }

  static ProgressiveRequest dataChange(
      String migrationId, ProgressiveDmlStep step, MigrationOptions options) {
    ProgressiveChange change = step.operation() == ProgressiveDmlStep.Operation.UPDATE
        ? new ProgressiveChange.BatchedUpdate(step.setClause(), step.pending())
        : new ProgressiveChange.BatchedDelete(step.pending());
    BatchSettings batch = BatchSettings.of(
        step.batchSize(), (int) step.delayMs(), Duration.ofMillis(step.maxDurationMs()),
        step.rolloutPercentage());
    return new ProgressiveRequest(migrationId, step.table(), change, batch, options, null);
  }

  static ProgressiveRequest index(
      String migrationId, ConcurrentIndexStep step, MigrationOptions options) {
    ProgressiveChange.Attach attach = step.constraintType() == null
        ? ProgressiveChange.Attach.NONE
        : "PRIMARY KEY".equals(step.constraintType())
            ? ProgressiveChange.Attach.PRIMARY_KEY
            : ProgressiveChange.Attach.UNIQUE;
    ProgressiveChange change = new ProgressiveChange.IndexBuild(
        step.indexName(), step.definition(), step.unique(), step.where(), null, attach,
        step.constraintName());
    return new ProgressiveRequest(
        migrationId, step.table(), change, BatchSettings.defaults(), options, null);
  }

  static ProgressiveRequest constraint(
      String migrationId, ConstraintStep step, MigrationOptions options) {
    ProgressiveChange change =
        new ProgressiveChange.ValidatedConstraint(step.constraintName(), step.definition());
    return new ProgressiveRequest(
        migrationId, step.table(), change, BatchSettings.defaults(), options, null);
  }
}
