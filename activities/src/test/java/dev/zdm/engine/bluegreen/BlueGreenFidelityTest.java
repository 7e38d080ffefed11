package dev.zdm.engine.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.bluegreen.BlueGreenWorkflow;
import dev.zdm.bluegreen.BlueGreenWorkflowImpl;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.TableRef;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fidelity checks of blue-green, on PostgreSQL: the green copy is made from the table as
 * checked, so an index dropped by hand after that stops the switch with the difference; and the
 * switched table is what stays, so an index dropped from it while the drop of the old table waits
 * stops the drop, and the undo swaps back to the old table, which still has it.
 */
class BlueGreenFidelityTest {
  private TestDatabase db;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("bgfidelity");
    db.sql(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, amount bigint NOT NULL, note text)",
        "CREATE INDEX accounts_note_idx ON accounts (note)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, 3000) g");
  }

  @AfterEach
  void tearDown() throws Exception {
    temporal.close();
    db.close();
  }

  /** The real activities; someone drops an index by hand as the copy begins. */
  private final class DropIndexDuringVerify extends BlueGreenActivitiesImpl {
    DropIndexDuringVerify() {
      super(db.target());
    }

    @Override
    public TableRef greenTable(BlueGreenRequest request) {
      try {
        db.sql("DROP INDEX IF EXISTS accounts_note_idx");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      return super.greenTable(request);
    }
  }

  @Test
  void anIndexDroppedByHandStopsTheSwitchWithTheDiff() throws Exception {
    temporal = new TemporalTestEnv(new Class<?>[] {BlueGreenWorkflowImpl.class}, new DropIndexDuringVerify(),
        new BackfillActivitiesImpl(db.target()), new DdlActivitiesImpl(db.target()));
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-fidelity");
    BlueGreenRequest request = new BlueGreenRequest("bg-fidelity", new TableRef(db.schema(), "accounts"),
        List.of("ALTER TABLE accounts ALTER COLUMN note SET DEFAULT 'x'"), MigrationOptions.defaults());

    assertThatThrownBy(() -> workflow.run(request))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.FIDELITY_CHECK_FAILED);
          assertThat(failure.getOriginalMessage())
              .contains("fidelity check failed before the switch of")
              .contains("missing index accounts_note_idx (was: CREATE INDEX accounts_note_idx ON");
        });
    // Not switched: the table is the original, green and triggers are gone.
    assertThat(db.value("SELECT obj_description('accounts'::regclass, 'pg_class')")).isNull();
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'accounts_zdm_%'"
        + " AND relnamespace = '\"" + db.schema() + "\"'::regnamespace")).isZero();
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
    assertThat(db.count("SELECT count(*) FROM accounts")).isEqualTo(3000);
    assertThat(db.value("SELECT check_passed::text FROM _migration_table_snapshots"
        + " WHERE migration_id = 'bg-fidelity'")).isEqualTo("false");
  }

  /** The real activities; someone drops the switched table's index on note before the old one goes. */
  private final class DropIndexAfterTheSwitch extends BlueGreenActivitiesImpl {
    DropIndexAfterTheSwitch() {
      super(db.target());
    }

    @Override
    public String checkFidelityBeforeDrop(BlueGreenRequest request) {
      try {
        String index = db.value("SELECT indexname FROM pg_indexes WHERE schemaname = '" + db.schema()
            + "' AND tablename = 'accounts' AND indexdef LIKE '%(note)%'");
        db.sql("DROP INDEX \"" + index + "\"");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      return super.checkFidelityBeforeDrop(request);
    }
  }

  @Test
  void anIndexDroppedFromTheSwitchedTableStopsTheDropAndTheUndoSwapsBack() throws Exception {
    temporal = new TemporalTestEnv(new Class<?>[] {BlueGreenWorkflowImpl.class}, new DropIndexAfterTheSwitch(),
        new BackfillActivitiesImpl(db.target()), new DdlActivitiesImpl(db.target()));
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-fidelity-drop");
    BlueGreenRequest request = new BlueGreenRequest("bg-fidelity-drop", new TableRef(db.schema(), "accounts"),
        List.of("ALTER TABLE accounts ALTER COLUMN note SET DEFAULT 'x'"),
        new MigrationOptions(null, null, null, false, false));

    assertThatThrownBy(() -> workflow.run(request))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.FIDELITY_CHECK_FAILED);
          assertThat(failure.getOriginalMessage())
              .contains("fidelity check failed before dropping")
              .contains("accounts_zdm_old")
              .contains("missing index");
        });
    // Swapped back: the original table with its index, every row, no default from the file.
    assertThat(db.count("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + db.schema()
        + "' AND tablename = 'accounts' AND indexname = 'accounts_note_idx'")).isEqualTo(1);
    assertThat(db.count("SELECT count(*) FROM accounts")).isEqualTo(3000);
    assertThat(db.count("SELECT count(*) FROM pg_attrdef WHERE adrelid = 'accounts'::regclass")).isZero();
    assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'accounts_zdm_%'"
        + " AND relnamespace = '\"" + db.schema() + "\"'::regnamespace")).isZero();
    assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass")).isZero();
    assertThat(db.value("SELECT check_passed::text FROM _migration_table_snapshots"
        + " WHERE migration_id = 'bg-fidelity-drop' AND step LIKE '% switched'")).isEqualTo("false");
  }

  @Test
  void anUntouchedTableSwitchesAndKeepsEveryIndexAndConstraintName() throws Exception {
    db.sql("CREATE INDEX idx_by_amount ON accounts (amount) WHERE amount > 10",
        "ALTER TABLE accounts ADD CONSTRAINT one_row_per_id_and_amount UNIQUE (id, amount)");
    temporal = new TemporalTestEnv(new Class<?>[] {BlueGreenWorkflowImpl.class},
        new BlueGreenActivitiesImpl(db.target()), new BackfillActivitiesImpl(db.target()),
        new DdlActivitiesImpl(db.target()));
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-untouched");
    BlueGreenRequest request = new BlueGreenRequest("bg-untouched", new TableRef(db.schema(), "accounts"),
        List.of("ALTER TABLE accounts ALTER COLUMN note SET DEFAULT 'x'"),
        new MigrationOptions(null, null, null, false, false));
    MigrationResult result = workflow.run(request);
    assertThat(result.steps()).anySatisfy(step -> {
      assertThat(step.name()).isEqualTo("fidelity-check");
      assertThat(step.detail()).contains("unchanged since the migration checked it, apart from the sync trigger");
    });
    assertThat(result.steps()).anySatisfy(step -> {
      assertThat(step.name()).isEqualTo("fidelity-check-before-drop");
      assertThat(step.detail()).contains("unchanged since the switch");
    });
    assertThat(db.count("SELECT count(*) FROM _migration_table_snapshots"
        + " WHERE migration_id = 'bg-untouched' AND check_passed")).isEqualTo(2);
    assertThat(db.value("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'accounts'::regclass"))
        .isEqualTo("'x'::text");
    // LIKE names the copies after the green table; the drop gives each its name back.
    assertThat(db.value("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '"
        + db.schema() + "' AND tablename = 'accounts'"))
        .isEqualTo("accounts_note_idx,accounts_pkey,idx_by_amount,one_row_per_id_and_amount");
    assertThat(db.value("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint"
        + " WHERE conrelid = 'accounts'::regclass AND contype IN ('p', 'u')"))
        .isEqualTo("accounts_pkey,one_row_per_id_and_amount");
  }
}
