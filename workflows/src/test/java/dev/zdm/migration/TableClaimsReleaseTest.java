package dev.zdm.migration;

import static dev.zdm.fakes.FakeTemporal.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.fakes.FakeTemporal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.RollbackRequest;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.DirectStep;
import dev.zdm.model.plan.DualWriteStep;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The parent claims the tables of its plan before its first step and releases them however it
 * ends; a refused claim ends the migration before anything ran.
 */
class TableClaimsReleaseTest {
  private static final TableRef ORDERS = TableRef.of("orders");
  private static final TableRef USERS = TableRef.of("users");
  private static final String INDEX_CALL = "RunDdl CREATE INDEX CONCURRENTLY idx_a ON orders (a)";
  private static final DirectStep INDEX = new DirectStep(1,
      "CREATE INDEX CONCURRENTLY idx_a ON orders (a)", false,
      new DirectStep.Undo("DROP INDEX CONCURRENTLY IF EXISTS idx_a", false));
  private static final ConcurrentIndexStep USERS_INDEX = new ConcurrentIndexStep(USERS, "idx_u",
      "CREATE INDEX CONCURRENTLY idx_u ON users (u)", "(u)", false, null, null, null, 2);
  private static final ConcurrentIndexStep ORDERS_INDEX = new ConcurrentIndexStep(ORDERS, "idx_b",
      "CREATE INDEX CONCURRENTLY idx_b ON orders (b)", "(b)", false, null, null, null, 3);
  private static final DualWriteStep RENAME = new DualWriteStep(ORDERS, "d", "e", null, null, null,
      DualWriteStep.Kind.RENAME, 2);

  private final FakeTemporal temporal = new FakeTemporal();

  @AfterEach
  void tearDown() {
    temporal.close();
  }

  private List<String> calls() {
    return temporal.script.calls();
  }

  @Test
  void aCompletedMigrationClaimsEachOfItsTablesOnceBeforeItsFirstStepAndReleasesThemLast() {
    var workflow = temporal.start("done", FakeTemporal.STRAIGHT_THROUGH, INDEX, USERS_INDEX, ORDERS_INDEX);

    MigrationResult result = temporal.resultOf(workflow, MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(temporal.activities.claimedTables("done")).containsExactly(USERS, ORDERS);
    assertThat(calls()).containsSubsequence("PrepareMigration", "ClaimTables", INDEX_CALL);
    assertThat(calls()).last().isEqualTo("ReleaseTables");
    assertThat(temporal.script.count("ReleaseTables")).isEqualTo(1);
  }

  @Test
  void aRefusedClaimEndsTheMigrationBeforeAnyStepWithTheHoldersName() {
    temporal.script.fail("ClaimTables", ZdmFailures.UNSAFE_MIGRATION,
        "[refused] table orders is being migrated by other");
    var workflow = temporal.start("refused", FakeTemporal.STRAIGHT_THROUGH, INDEX);

    assertThatThrownBy(workflow::awaitPlan).hasStackTraceContaining("being migrated by other");
    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(workflow.status().phase()).isEqualTo("refused");
    assertThat(calls()).doesNotContain(INDEX_CALL);
  }

  @Test
  void aRolledBackMigrationReleasesItsTablesAfterItsUndo() throws Exception {
    var workflow = temporal.start("rolled", MigrationOptions.defaults(), INDEX, RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    workflow.rollback(new RollbackRequest("tester", null));

    assertThat(temporal.resultOf(workflow, MigrationResult.class).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(calls()).containsSubsequence("RunDdl DROP INDEX CONCURRENTLY IF EXISTS idx_a", "ReleaseTables");
    assertThat(calls()).last().isEqualTo("ReleaseTables");
  }

  @Test
  void aFailedMigrationReleasesItsTablesAfterItsUndo() {
    temporal.script.fail("BuildIndexConcurrently idx_b", "SqlError", "boom");
    var workflow = temporal.start("failed", FakeTemporal.STRAIGHT_THROUGH, INDEX, ORDERS_INDEX);

    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(calls()).containsSubsequence("RunDdl DROP INDEX CONCURRENTLY IF EXISTS idx_a", "ReleaseTables");
    assertThat(temporal.script.count("ReleaseTables")).isEqualTo(1);
  }

  @Test
  void aCancelledMigrationReleasesItsTables() throws Exception {
    var workflow = temporal.start("cancelled", MigrationOptions.defaults(), INDEX, RENAME);
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));

    WorkflowStub.fromTyped(workflow).cancel();

    assertThatThrownBy(() -> temporal.resultOf(workflow, MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(calls()).containsSubsequence("RunDdl DROP INDEX CONCURRENTLY IF EXISTS idx_a", "ReleaseTables");
    assertThat(temporal.script.count("ReleaseTables")).isEqualTo(1);
  }
}
