package dev.zdm.engine.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.analysis.SqlSplitter;
import dev.zdm.bluegreen.BlueGreenRequest;
import dev.zdm.bluegreen.BlueGreenWorkflow;
import dev.zdm.bluegreen.BlueGreenWorkflowImpl;
import dev.zdm.engine.activities.DdlActivitiesImpl;
import dev.zdm.engine.backfill.BackfillActivitiesImpl;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.MigrationResult;
import dev.zdm.model.Outcome;
import dev.zdm.model.plan.BlueGreenStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.planning.CatalogPriorState;
import dev.zdm.planning.MigrationPlanner;
import dev.zdm.testing.TemporalTestEnv;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The int -> bigint overflow fix of a primary key: dual-write cannot move a key column, so with
 * the catalog at hand the planner rebuilds the table with blue-green, which changes the key on
 * the green copy; the rows, the key and its index come through.
 */
class KeyTypeChangeTest {
  private TestDatabase db;
  private TemporalTestEnv temporal;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("key_type");
    db.sql("CREATE TABLE accounts (id integer PRIMARY KEY, amount integer NOT NULL, note text)",
        "INSERT INTO accounts SELECT g, g % 1000, 'seed' FROM generate_series(1, 3000) g");
  }

  @AfterEach
  void tearDown() {
    if (temporal != null) {
      temporal.close();
    }
    db.close();
  }

  private List<PlanStep> plan(String sql) throws SQLException {
    try (Connection connection = db.connection()) {
      return new MigrationPlanner().plan("m1", new SqlSplitter().split("V1__m.sql", sql), null, false,
          new CatalogPriorState(connection)).steps();
    }
  }

  @Test
  void theKeysTypeChangeIsPlannedAsBlueGreenAndAnotherColumnsAsDualWrite() throws Exception {
    String table = "\"" + db.schema() + "\".accounts";
    assertThat(plan("ALTER TABLE " + table + " ALTER COLUMN id TYPE bigint;"))
        .singleElement().isInstanceOf(BlueGreenStep.class);
    assertThat(plan("ALTER TABLE " + table + " ALTER COLUMN amount TYPE bigint;"))
        .singleElement().isInstanceOf(DualWriteStep.class);
  }

  @Test
  void blueGreenChangesTheKeyTypeWithEveryRow() throws Exception {
    temporal = new TemporalTestEnv(new Class<?>[] {BlueGreenWorkflowImpl.class},
        new BlueGreenActivitiesImpl(db.target()), new BackfillActivitiesImpl(db.target()),
        new DdlActivitiesImpl(db.target()));
    BlueGreenWorkflow workflow = temporal.newWorkflow(BlueGreenWorkflow.class, "zdm-bg-key");
    BlueGreenStep step = (BlueGreenStep) plan("ALTER TABLE \"" + db.schema() + "\".accounts ALTER COLUMN id"
        + " TYPE bigint;").get(0);
    MigrationResult result = workflow.run(new BlueGreenRequest("bg-key", step.table(), step.greenChanges(),
        new MigrationOptions(null, null, null, false, false)));

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(db.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        + " WHERE attrelid = 'accounts'::regclass AND attname = 'id'")).isEqualTo("bigint");
    assertThat(db.count("SELECT count(*) FROM accounts")).isEqualTo(3000);
    assertThat(db.count("SELECT count(*) FROM accounts WHERE amount <> id % 1000")).isZero();
    assertThat(db.value("SELECT indisvalid::text FROM pg_index WHERE indrelid = 'accounts'::regclass"
        + " AND indisprimary")).isEqualTo("true");
    db.sql("INSERT INTO accounts (id, amount) VALUES (3000000000, 1)");
  }
}
