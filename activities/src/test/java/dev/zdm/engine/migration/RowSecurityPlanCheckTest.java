package dev.zdm.engine.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.ledger.Ledger;
import dev.zdm.model.TableRef;
import dev.zdm.model.plan.ConcurrentIndexStep;
import dev.zdm.model.plan.DualWriteStep;
import dev.zdm.model.plan.ExpandContractStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.model.plan.ProgressiveDmlStep;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A step that reads every row (backfill, batched change, archive) is refused at {@code zdm start}
 * where row-level security applies to zdm's role, before its new column, trigger or deprecation
 * exists; a step that reads no rows (an index build) on the same table is not.
 */
class RowSecurityPlanCheckTest {
  private TestDatabase db;
  private String owner;
  private TableRef accounts;

  @BeforeEach
  void setUp() throws SQLException {
    db = TestDatabase.create("rls_plan");
    owner = db.schema() + "_owner";
    db.sql("CREATE ROLE " + owner + " LOGIN",
        "GRANT USAGE, CREATE ON SCHEMA \"" + db.schema() + "\" TO " + owner,
        "SET ROLE " + owner,
        "CREATE TABLE accounts (id int PRIMARY KEY, amount int, note text)",
        "INSERT INTO accounts SELECT g, g, 'n' FROM generate_series(1, 10) g",
        "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY first_five ON accounts USING (id <= 5)",
        "RESET ROLE");
    accounts = new TableRef(db.schema(), "accounts");
  }

  @AfterEach
  void tearDown() throws SQLException {
    try {
      db.sql("DROP SCHEMA \"" + db.schema() + "\" CASCADE", "DROP OWNED BY " + owner, "DROP ROLE " + owner);
    } finally {
      db.close();
    }
  }

  @Test
  void stepsThatReadEveryRowAreRefusedWhenAPolicyAppliesToZdmsRole() throws SQLException {
    db.sql("ALTER TABLE accounts FORCE ROW LEVEL SECURITY");
    try (Connection asOwner = asOwner()) {
      assertThat(count(asOwner)).as("what the owner sees under FORCE ROW LEVEL SECURITY").isEqualTo(5);
      for (PlanStep step : List.of(backfill(), dualWrite(), drop())) {
        assertThatThrownBy(() -> validator().validate(asOwner, plan(step)))
            .as(step.describe())
            .isInstanceOfSatisfying(ZdmException.class, refused -> {
              assertThat(refused.code()).isEqualTo(ErrorCode.REFUSED);
              assertThat(refused.getMessage()).contains("row-level security on " + accounts.displayName());
              assertThat(refused.hint()).contains("BYPASSRLS");
            });
      }
      assertThatCode(() -> validator().validate(asOwner, plan(index())))
          .as("an index build reads no rows through the policy").doesNotThrowAnyException();
      assertThat(count(asOwner)).as("the probe leaves the session's row_security as it was").isEqualTo(5);
    }
  }

  @Test
  void theOwnerWithoutForceSeesEveryRowAndIsNotRefused() throws SQLException {
    try (Connection asOwner = asOwner()) {
      assertThat(count(asOwner)).isEqualTo(10);
      for (PlanStep step : List.of(backfill(), dualWrite(), drop(), index())) {
        assertThatCode(() -> validator().validate(asOwner, plan(step))).as(step.describe())
            .doesNotThrowAnyException();
      }
    }
  }

  @Test
  void aMissingTableIsLeftToTheStepsOwnCheckNotReportedAsADatabaseFailure() throws SQLException {
    TableRef missing = new TableRef(db.schema(), "no_such_table");
    try (Connection asOwner = asOwner()) {
      assertThatCode(() -> new dev.zdm.planning.RowSecurityCheck(dev.zdm.planning.StepPlannings.all())
          .refuseHiddenRows(asOwner, new ProgressiveDmlStep(missing, ProgressiveDmlStep.Operation.DELETE, null,
              "id > 0", "id > 0", 1000, 0, 60_000, 100, 7)))
          .doesNotThrowAnyException();
    }
  }

  private Connection asOwner() throws SQLException {
    return DriverManager.getConnection(TestDatabase.url().replaceAll("user=[^&]*", "user=" + owner));
  }

  private long count(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM \"" + db.schema() + "\".accounts")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private ProgressiveDmlStep backfill() {
    return new ProgressiveDmlStep(accounts, ProgressiveDmlStep.Operation.UPDATE, "amount = 0",
        "amount <> 0", "amount <> 0", 1000, 0, 60_000, 100, 2);
  }

  private DualWriteStep dualWrite() {
    return new DualWriteStep(accounts, "amount", "amount_new", "bigint", null, null,
        DualWriteStep.Kind.CHANGE_TYPE, 3);
  }

  private ExpandContractStep drop() {
    return new ExpandContractStep(accounts, "note", 4);
  }

  private ConcurrentIndexStep index() {
    return new ConcurrentIndexStep(accounts, "accounts_amount_idx",
        "CREATE INDEX CONCURRENTLY accounts_amount_idx ON accounts (amount)", "(amount)", false, null,
        null, null, 5);
  }

  private static Plan plan(PlanStep step) {
    return new Plan("rls-plan", List.of(step), List.of());
  }

  private PlanValidator validator() {
    return new PlanValidator(new Ledger(db.dataSource(), db.schema()));
  }
}
