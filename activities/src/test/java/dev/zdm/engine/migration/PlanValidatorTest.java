package dev.zdm.engine.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.ledger.Ledger;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.ConstraintStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A plan is checked against the catalog through each step kind's planning before anything runs:
 * an index or constraint step whose name is already taken is refused (the step would count the
 * existing object as its own work and its undo would drop it on a rollback), and so is a column to
 * drop that is missing or cannot be archived by primary key.
 */
class PlanValidatorTest {
  private TestDatabase db;
  private TableRef orders;

  @BeforeEach
  void setUp() throws Exception {
    db = TestDatabase.create("plan_validator");
    db.sql("CREATE TABLE orders (id bigint PRIMARY KEY, email text, qty int)",
        "CREATE INDEX orders_email_idx ON orders (email)",
        "ALTER TABLE orders ADD CONSTRAINT orders_qty_check CHECK (qty >= 0)");
    orders = new TableRef(db.schema(), "orders");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void anIndexOrConstraintThatAlreadyExistsIsRefusedAndANewOneIsNot() throws Exception {
    assertRefused(index("orders_email_idx"), "index orders_email_idx already exists");
    assertRefused(index("orders_email_idx"), "drop it on a rollback");
    assertRefused(new ConstraintStep(orders, "orders_qty_check", ConstraintStep.Kind.CHECK,
        "CHECK (qty >= 0)", null, List.of(), 3), "constraint orders_qty_check already exists");
    try (Connection connection = db.connection()) {
      assertThatCode(() -> validator().validate(connection, plan(index("orders_qty_idx"))))
          .doesNotThrowAnyException();
    }
  }

  @Test
  void aColumnToDropMustExistInATableWithAPrimaryKey() throws Exception {
    db.sql("CREATE TABLE notes (body text)");
    assertRefused(new ExpandContractStep(orders, "missing", 4), "line 4: column missing does not exist");
    assertRefused(new ExpandContractStep(new TableRef(db.schema(), "notes"), "body", 5),
        "line 5: table " + db.schema() + ".notes has no primary key");
    try (Connection connection = db.connection()) {
      assertThatCode(() -> validator().validate(connection, plan(new ExpandContractStep(orders, "email", 6))))
          .doesNotThrowAnyException();
    }
  }

  private void assertRefused(PlanStep step, String message) throws Exception {
    try (Connection connection = db.connection()) {
      assertThatThrownBy(() -> validator().validate(connection, plan(step)))
          .isInstanceOfSatisfying(ZdmException.class, refused -> {
            assertThat(refused.code()).isEqualTo(ErrorCode.BAD_INPUT);
            assertThat(refused.getMessage()).contains(message);
          });
    }
  }

  private ConcurrentIndexStep index(String name) {
    return new ConcurrentIndexStep(orders, name, "CREATE INDEX CONCURRENTLY " + name + " ON orders (qty)",
        "(qty)", false, null, null, null, 2);
  }

  private static Plan plan(PlanStep step) {
    return new Plan("validate", List.of(step), List.of());
  }

  private PlanValidator validator() {
    return new PlanValidator(new Ledger(db.dataSource(), db.schema()));
  }
}
