package dev.zdm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.migration.MigrationWorkflow;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's files through `zdm start` without --strategy: the derived-column file runs to the end
 * with no signal (the application never needs to know), and ADD PRIMARY KEY on a nullable column
 * ends with the key and the column NOT NULL, no helper check left.
 */
class DerivedColumnFileTest {
  private static final int ROWS = 3_000;

  private TestDatabase db;
  private WorkflowTestEnvironment temporal;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("derived_file");
    db.execute("""
        CREATE TABLE {schema}.orders (id bigint PRIMARY KEY, quantity int NOT NULL, unit_price int NOT NULL);
        INSERT INTO {schema}.orders SELECT n, n %% 7, 100 + n %% 13 FROM generate_series(1, %d) n;
        CREATE TABLE {schema}.tags (id bigint, name text);
        INSERT INTO {schema}.tags SELECT n, 't' || n FROM generate_series(1, %d) n;
        """.formatted(ROWS, ROWS));
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
  void theDerivedColumnFileCompletesWithoutAnyGateAndKeepsItsTrigger() {
    MigrationWorkflow workflow = temporal.start("derived", """
        ALTER TABLE {schema}.orders ADD COLUMN total_cents bigint;
        UPDATE {schema}.orders SET total_cents = quantity::bigint * unit_price;
        ALTER TABLE {schema}.orders ALTER COLUMN total_cents SET NOT NULL;
        """, null, MigrationOptions.defaults());
    assertThat(workflow.awaitPlan().steps()).extracting(PlanStep::describe).singleElement().asString()
        .contains("derived column");

    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryLong("SELECT count(*) FROM {schema}.orders"
        + " WHERE total_cents IS DISTINCT FROM quantity::bigint * unit_price")).isZero();
    assertThat(db.queryString("SELECT is_nullable FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'orders' AND column_name = 'total_cents'")).isEqualTo("NO");
    // The application that knows nothing of the column keeps working, and its rows are right.
    db.execute("INSERT INTO {schema}.orders (id, quantity, unit_price) VALUES (900001, 3, 250)");
    db.execute("UPDATE {schema}.orders SET quantity = 10 WHERE id = 1");
    assertThat(db.queryLong("SELECT total_cents FROM {schema}.orders WHERE id = 900001")).isEqualTo(750);
    assertThat(db.queryLong("SELECT total_cents FROM {schema}.orders WHERE id = 1")).isEqualTo(10L * 101);
  }

  @Test
  void aPrimaryKeyOnANullableColumnEndsWithTheKeyAndNoHelperCheck() {
    MigrationWorkflow workflow = temporal.start("pk",
        "ALTER TABLE {schema}.tags ADD PRIMARY KEY (id);", null, MigrationOptions.defaults());
    assertThat(workflow.awaitPlan().steps()).extracting(PlanStep::describe)
        .hasSize(2)
        .first().asString().contains("NOT NULL via a validated check");

    MigrationResult result = WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.queryString("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        + " WHERE conrelid = '{schema}.tags'::regclass AND contype = 'p'")).isEqualTo("PRIMARY KEY (id)");
    assertThat(db.queryLong("SELECT count(*) FROM pg_constraint WHERE conrelid = '{schema}.tags'::regclass"
        + " AND contype = 'c'")).isZero();
  }

  @Test
  void aNullInTheKeyColumnFailsTheMigrationAtValidateWithTheTableAsItWas() {
    db.execute("UPDATE {schema}.tags SET id = NULL WHERE id = 7");
    MigrationWorkflow workflow = temporal.start("pk-null",
        "ALTER TABLE {schema}.tags ADD PRIMARY KEY (id);", null, MigrationOptions.defaults());
    workflow.awaitPlan();

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(MigrationResult.class))
        .hasStackTraceContaining("[pk-null]")
        .hasStackTraceContaining("tags_id_not_null\" of relation \"tags\" is violated by some row");
    assertThat(db.queryString("SELECT is_nullable FROM information_schema.columns WHERE table_schema = '"
        + db.schema() + "' AND table_name = 'tags' AND column_name = 'id'")).isEqualTo("YES");
    assertThat(db.queryLong("SELECT count(*) FROM pg_constraint WHERE conrelid = '{schema}.tags'::regclass")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_index WHERE indrelid = '{schema}.tags'::regclass")).isZero();
  }
}
