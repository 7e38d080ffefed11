package dev.zdm.engine.dualwrite;

import static dev.zdm.testing.TemporalTestEnv.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.backfill.BatchSettings;
import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.dualwrite.DualWriteWorkflow;
import dev.zdm.dualwrite.DualWriteWorkflowImpl;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Outcome;
import dev.zdm.model.StepRecord;
import dev.zdm.model.TableRef;
import dev.zdm.model.WaitingFor;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fidelity check before dual-write's cut-over, on PostgreSQL: a change made behind zdm's back
 * while the migration waits stops the cut-over with the difference; an untouched table passes.
 */
class DualWriteFidelityTest {
  static final BatchSettings BATCHES =
      new BatchSettings(500, 0, null, null, null, null, null, null, Duration.ofMillis(500), null);

  private TestDatabase db;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("fidelity");
    db.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, amount integer NOT NULL, note text DEFAULT 'n/a')",
        "CREATE INDEX accounts_note_idx ON accounts (note)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, 2000) g");
    temporal = new TemporalTestEnv(new Class<?>[] {DualWriteWorkflowImpl.class},
        new DualWriteActivitiesImpl(db.target()), new BackfillActivitiesImpl(db.target()),
        new DdlActivitiesImpl(db.target()));
  }

  @AfterEach
  void tearDown() throws Exception {
    temporal.close();
    db.close();
  }

  private DualWriteWorkflow startRetype(String id) throws InterruptedException {
    DualWriteWorkflow workflow = temporal.newWorkflow(DualWriteWorkflow.class, "zdm-" + id);
    WorkflowClient.start(workflow::run, new DualWriteRequest(id, DualWriteKind.CHANGE_TYPE,
        new TableRef(db.schema(), "accounts"), "amount", null, "bigint", null, null, null, BATCHES,
        MigrationOptions.defaults(), null));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()), "the reads gate");
    return workflow;
  }

  private void deployAndApprove(DualWriteWorkflow workflow) throws InterruptedException {
    workflow.deployed(new DeploymentSignal("v2", "reads"));
    awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT_WRITES.equals(s.waitingFor()), "the writes gate");
    workflow.deployed(new DeploymentSignal("v2", "writes"));
    awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()), "the approval gate");
    workflow.approve(new ApprovalRequest("test", null));
  }

  @Test
  void anIndexDroppedByHandStopsTheCutOverWithTheDiff() throws Exception {
    DualWriteWorkflow workflow = startRetype("dropped-index");
    db.sql("DROP INDEX accounts_note_idx");
    deployAndApprove(workflow);

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.FIDELITY_CHECK_FAILED);
          assertThat(failure.getOriginalMessage())
              .contains("[dropped-index] fidelity check failed before the cut-over")
              .contains("missing index accounts_note_idx (was: CREATE INDEX accounts_note_idx ON")
              .contains("Nothing irreversible was done");
        });
    // Nothing irreversible: the old column is untouched; the failure undid the dual-write.
    assertThat(db.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        + " WHERE attrelid = 'accounts'::regclass AND attname = 'amount'")).isEqualTo("integer");
    assertThat(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'accounts'::regclass"
        + " AND attname = 'amount_zdm_new' AND NOT attisdropped")).isZero();
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
    // The check is in the ledger, and the status names the difference.
    assertThat(db.value("SELECT check_passed::text || ' ' || differences FROM _migration_table_snapshots"
        + " WHERE migration_id = 'dropped-index'")).startsWith("false missing index accounts_note_idx");
    MigrationStatus status = workflow.status();
    assertThat(status.steps()).anySatisfy(step -> {
      assertThat(step.state()).isEqualTo(StepRecord.StepState.FAILED);
      assertThat(step.name()).isEqualTo("checking-fidelity");
      assertThat(step.detail()).contains("missing index accounts_note_idx");
    });
  }

  @Test
  void everyKindOfUnaskedChangeIsNamed() throws Exception {
    DualWriteWorkflow workflow = startRetype("altered");
    db.sql("ALTER TABLE accounts ALTER COLUMN note SET DEFAULT 'none'",
        "CREATE INDEX accounts_amount_idx ON accounts (amount)",
        "ALTER TABLE accounts SET (fillfactor = 80)",
        "REVOKE TRUNCATE ON accounts FROM postgres");
    deployAndApprove(workflow);

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .rootCause()
        .hasMessageContaining("changed column note: was text DEFAULT 'n/a'::text, now text DEFAULT 'none'::text")
        .hasMessageContaining("added   index accounts_amount_idx: CREATE INDEX accounts_amount_idx")
        .hasMessageContaining("added   table: options: fillfactor=80")
        .hasMessageContaining("missing table: grant TRUNCATE to postgres (was: granted)");
  }

  @Test
  void anUntouchedTablePassesAndTheCheckIsRecorded() throws Exception {
    DualWriteWorkflow workflow = startRetype("untouched");
    deployAndApprove(workflow);

    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(result.steps()).anySatisfy(step -> {
      assertThat(step.name()).isEqualTo("fidelity-check");
      assertThat(step.detail()).contains("unchanged since the step began");
    });
    assertThat(db.value("SELECT check_passed::text FROM _migration_table_snapshots"
        + " WHERE migration_id = 'untouched'")).isEqualTo("true");
    assertThat(db.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        + " WHERE attrelid = 'accounts'::regclass AND attname = 'amount'")).isEqualTo("bigint");
  }
}
