package dev.zdm.engine.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.dualwrite.DualWriteKind;
import dev.zdm.dualwrite.DualWritePlan;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ADD COLUMN … NOT NULL with {@code -- @metadata {"backfill": "<expression>"}} whose expression
 * names other columns of the row: the fill trigger evaluates it over the row being written. It
 * used to assign the bare expression in PL/pgSQL, where those names are not columns, so every
 * INSERT of the old application failed once the trigger was installed.
 */
class FillTriggerColumnsTest {
  private TestDatabase db;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("fill_columns");
    db.sql("CREATE TABLE orders (id bigint PRIMARY KEY, quantity int NOT NULL, unit_price int NOT NULL)",
        "INSERT INTO orders VALUES (1, 2, 300)");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void anInsertWithoutTheColumnGetsItFromTheRowsOtherColumns() throws Exception {
    DualWriteActivitiesImpl activities = new DualWriteActivitiesImpl(db.target());
    DualWritePlan plan = activities.plan(new DualWriteRequest("fill", DualWriteKind.ADD_NOT_NULL,
        new TableRef(db.schema(), "orders"), null, "total_cents", "bigint", "quantity::bigint * unit_price",
        null, null, null, MigrationOptions.defaults(), null));
    activities.addColumn(plan);
    activities.installTrigger(plan);
    db.sql("INSERT INTO orders (id, quantity, unit_price) VALUES (2, 3, 250)");
    assertThat(db.value("SELECT total_cents FROM orders WHERE id = 2")).isEqualTo("750");
    activities.removeDualWrite(plan);
    assertThat(db.column("SELECT attname FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum > 0"
        + " AND NOT attisdropped ORDER BY attnum")).containsExactly("id", "quantity", "unit_price");
  }
}
