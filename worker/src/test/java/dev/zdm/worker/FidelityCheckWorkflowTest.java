package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.ApprovalRequest;
import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.MigrationStatus;
import dev.zdm.model.Strategy;
import dev.zdm.model.WaitingFor;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fidelity check through the parent workflow, as `zdm start` runs it: a new use of a
 * deprecated column, made while the drop waits, stops the drop, and the parent's status (what
 * `zdm status` shows) names it.
 */
class FidelityCheckWorkflowTest {
  private static final String DROP = "ALTER TABLE {schema}.users DROP COLUMN legacy_field";

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("fidelity_parent");
    db.execute("""
        CREATE TABLE {schema}.users (id bigint PRIMARY KEY, email text NOT NULL, legacy_field text);
        INSERT INTO {schema}.users SELECT n, 'u' || n || '@example.com', 'legacy ' || n
          FROM generate_series(1, 500) n;
        """);
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    temporal.close();
    db.close();
  }

  private MigrationWorkflow awaitApproval(String id) {
    MigrationWorkflow workflow = temporal.start(id, DROP, Strategy.EXPAND_CONTRACT, MigrationOptions.defaults());
    workflow.awaitPlan();
    temporal.awaitStatus(workflow, s -> WaitingFor.DEPLOYMENT.equals(s.waitingFor()));
    workflow.deployed(new DeploymentSignal("v2", null));
    temporal.awaitStatus(workflow, s -> WaitingFor.REMOVAL_DATE.equals(s.waitingFor()));
    temporal.env.sleep(Duration.ofDays(30).plusMinutes(1));
    temporal.awaitStatus(workflow, s -> WaitingFor.APPROVAL.equals(s.waitingFor()));
    return workflow;
  }

  @Test
  void anIndexOnTheDeprecatedColumnMadeMeanwhileStopsTheDropAndStatusShowsIt() {
    MigrationWorkflow workflow = awaitApproval("reused");
    // Someone starts using the column again; an unrelated index elsewhere is none of the drop's business.
    db.execute("""
        CREATE INDEX users_legacy_idx ON {schema}.users (legacy_field);
        CREATE INDEX users_email_idx ON {schema}.users (email);
        CREATE FUNCTION {schema}.app_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER app_touch BEFORE UPDATE ON {schema}.users FOR EACH ROW EXECUTE FUNCTION {schema}.app_touch();
        """);
    workflow.approve(new ApprovalRequest("tester", "go"));

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'users' AND column_name = 'legacy_field'")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.users WHERE legacy_field IS NOT NULL")).isEqualTo(500);
    // The undo ran after the archive existed: its trigger, function and table are gone, the
    // application's trigger stays, and writes of the column go on.
    assertThat(db.queryString("SELECT string_agg(tgname, ',') FROM pg_trigger"
        + " WHERE tgrelid = '{schema}.users'::regclass AND NOT tgisinternal")).isEqualTo("app_touch");
    assertThat(db.queryLong("SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = '" + db.schema() + "' AND c.relname LIKE '\\_zdm\\_archive%')"
        + " + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        + " WHERE n.nspname = '" + db.schema() + "' AND p.proname LIKE '\\_zdm\\_archive%')")).isZero();
    db.execute("UPDATE {schema}.users SET legacy_field = 'still written' WHERE id = 1");
    MigrationStatus status = workflow.status();
    String shown = status.message() + "\n" + status.steps();
    assertThat(shown)
        .contains("fidelity check failed before the drop of")
        .contains("added   index users_legacy_idx: CREATE INDEX users_legacy_idx ON")
        .doesNotContain("users_email_idx");
    assertThat(db.queryString("SELECT check_passed::text || ' ' || differences FROM {schema}._migration_table_snapshots"
        + " WHERE migration_id = 'reused'")).startsWith("false added   index users_legacy_idx");
  }

  @Test
  void changesElsewhereOnTheTableDoNotStopTheDrop() {
    MigrationWorkflow workflow = awaitApproval("elsewhere");
    db.execute("CREATE INDEX users_email_idx ON {schema}.users (email)");
    workflow.approve(new ApprovalRequest("tester", "go"));

    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);
    assertThat(result.steps()).anySatisfy(step -> assertThat(step.name() + " " + step.detail())
        .contains("fidelity-check").contains("no index, constraint or view on legacy_field appeared or changed"));
    assertThat(db.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'users' AND column_name = 'legacy_field'")).isZero();
    assertThat(db.queryString("SELECT check_passed::text FROM {schema}._migration_table_snapshots"
        + " WHERE migration_id = 'elsewhere'")).isEqualTo("true");
  }
}
