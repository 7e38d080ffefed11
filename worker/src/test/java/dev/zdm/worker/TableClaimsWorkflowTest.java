package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.WaitingFor;
import dev.zdm.testing.TestDatabase;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One migration per table, and one migration at a time in the database (the default limit), with
 * the real workflows and activities: the claim is a ledger row naming the migration, taken before
 * the first step and released when the migration ends.
 */
class TableClaimsWorkflowTest {
  private static final String WIDEN = "ALTER TABLE {schema}.orders ALTER COLUMN quantity TYPE bigint;";
  private static final String INDEX = "CREATE INDEX orders_customer ON {schema}.orders (customer_id);";

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("table_claims");
    db.execute("""
        CREATE TABLE {schema}.customers (id bigint PRIMARY KEY, name text);
        CREATE TABLE {schema}.orders (id bigint PRIMARY KEY, customer_id bigint, quantity int);
        INSERT INTO {schema}.orders SELECT n, n % 10, n % 7 FROM generate_series(1, 500) n;
        """);
    temporal = new WorkflowTestEnvironment(db);
  }

  @AfterEach
  void tearDown() {
    if (temporal != null) {
      temporal.close();
    }
    db.close();
  }

  @Test
  void aSecondMigrationOfTheTableIsRefusedNamingTheFirstAndStartsOnceTheFirstEnded() {
    MigrationWorkflow first = temporal.start("first", WIDEN, null, MigrationOptions.defaults());
    first.awaitPlan();
    temporal.awaitStatus(first, s -> WaitingFor.DEPLOYMENT_READS.equals(s.waitingFor()));
    assertThat(db.queryString("SELECT migration_id FROM {schema}._migration_table_claims "
        + "WHERE table_name = 'orders'")).isEqualTo("first");

    MigrationWorkflow second = temporal.start("second", INDEX, null, MigrationOptions.defaults());
    assertThatThrownBy(second::awaitPlan)
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e)).contains("[second]", "being migrated by first"));
    // Waited for in real time: the test client's getResult would let the first migration's clock
    // skip ahead to its execution timeout while it waits at its gate.
    assertThat(temporal.awaitClosed("second")).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'orders_customer'"))
        .as("refused before anything changed").isZero();

    WorkflowStub.fromTyped(first).cancel();
    assertThatThrownBy(() -> WorkflowStub.fromTyped(first).getResult(MigrationResult.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_table_claims"))
        .as("a cancelled migration releases its tables").isZero();

    MigrationWorkflow third = temporal.start("third", INDEX, null, MigrationOptions.defaults());
    third.awaitPlan();
    assertThat(WorkflowStub.fromTyped(third).getResult(MigrationResult.class).outcome())
        .isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'orders_customer'")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}._migration_table_claims"))
        .as("a completed migration releases its tables").isZero();
  }

  @Test
  void anotherTableIsRefusedWhileTheDatabaseRunsItsLimitOfMigrations() {
    MigrationWorkflow first = temporal.start("first", WIDEN, null, MigrationOptions.defaults());
    first.awaitPlan();

    MigrationWorkflow other = temporal.start("other",
        "CREATE INDEX customers_name ON {schema}.customers (name);", null, MigrationOptions.defaults());

    assertThatThrownBy(other::awaitPlan)
        .isInstanceOf(WorkflowUpdateException.class)
        .satisfies(e -> assertThat(rootMessage(e))
            .contains("[other]", "(first)", "maxConcurrentMigrations is 1"));
    assertThat(db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'customers_name'")).isZero();
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}
