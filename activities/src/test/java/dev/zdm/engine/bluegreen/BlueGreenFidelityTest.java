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
 * The fidelity check before blue-green's switch, on PostgreSQL: the green copy is made from the
 * table as checked, so an index dropped by hand after that stops the switch with the difference.
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

  @Test
  void anUntouchedTableSwitches() throws Exception {
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
    assertThat(db.value("SELECT check_passed::text FROM _migration_table_snapshots"
        + " WHERE migration_id = 'bg-untouched'")).isEqualTo("true");
    assertThat(db.value("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'accounts'::regclass"))
        .isEqualTo("'x'::text");
  }
}
