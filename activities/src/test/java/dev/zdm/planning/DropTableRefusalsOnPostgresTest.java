package dev.zdm.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.analysis.SqlSplitter;
import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.model.plan.DropTableStep;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import dev.zdm.postgres.Catalog;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What points at a table stops its drop, by name, at zdm plan (with a database) and at zdm start,
 * unless the file drops it first; a missing table or something that is not a table is bad input.
 */
class DropTableRefusalsOnPostgresTest {
  private TestDatabase db;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("drop_table_plan");
    db.execute("""
        CREATE TABLE {schema}.sessions (id bigint PRIMARY KEY, user_id bigint);
        CREATE TABLE {schema}.orders (id bigint PRIMARY KEY,
          session_id bigint CONSTRAINT orders_session_fk REFERENCES {schema}.sessions (id));
        CREATE VIEW {schema}.active_sessions AS SELECT id FROM {schema}.sessions;
        CREATE TABLE {schema}.lonely (id bigint PRIMARY KEY);
        """);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  /** The file with {schema} filled in, planned without a database. */
  private Plan planBlind(String file) {
    return new MigrationPlanner().plan("m-drop", new SqlSplitter().split("V1__drop.sql",
        file.replace("{schema}", "\"" + db.schema() + "\"")), null);
  }

  private Plan planWithCatalog(String file) throws Exception {
    try (Connection connection = db.connection()) {
      return new MigrationPlanner().plan("m-drop", new SqlSplitter().split("V1__drop.sql",
          file.replace("{schema}", "\"" + db.schema() + "\"")), null, false, new CatalogPriorState(connection));
    }
  }

  /** What zdm start runs before anything changes. */
  private void validate(Plan plan) throws Exception {
    try (Connection connection = db.connection()) {
      PlanCheck check = new PlanCheck(connection, new Catalog(connection), db.target().ledger(), plan.migrationId());
      for (PlanStep step : plan.steps()) {
        StepPlannings.all().validate(step, check);
      }
    }
  }

  @Test
  void anIncomingForeignKeyAndAViewAreNamedAndRefusedAtPlanAndAtStart() {
    String file = "DROP TABLE {schema}.sessions;";

    assertThatThrownBy(() -> planWithCatalog(file))
        .isInstanceOf(ZdmException.class)
        .satisfies(e -> assertThat(((ZdmException) e).code()).isEqualTo(ErrorCode.REFUSED))
        .hasMessageContaining("view " + db.schema() + ".active_sessions reads it")
        .hasMessageContaining("foreign key orders_session_fk of " + db.schema() + ".orders points at it")
        .hasMessageContaining("never drops with CASCADE");
    assertThatThrownBy(() -> validate(planBlind(file)))
        .isInstanceOf(ZdmException.class)
        .satisfies(e -> assertThat(((ZdmException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
        .hasMessageContaining("line 1: cannot drop table " + db.schema() + ".sessions")
        .hasMessageContaining("DROP VIEW")
        .hasMessageContaining("DROP CONSTRAINT \"orders_session_fk\"");
  }

  @Test
  void aFileThatDropsTheViewAndTheForeignKeyFirstIsAccepted() throws Exception {
    String file = """
        DROP VIEW {schema}.active_sessions;
        ALTER TABLE {schema}.orders DROP CONSTRAINT orders_session_fk;
        DROP TABLE {schema}.sessions;
        """;

    Plan plan = planWithCatalog(file);

    assertThat(plan.steps()).last().isInstanceOf(DropTableStep.class);
    assertThatCode(() -> validate(plan)).doesNotThrowAnyException();
  }

  @Test
  void droppingTheReferencingTableFirstCountsToo() {
    String dropped = "DROP VIEW {schema}.active_sessions;\nDROP TABLE {schema}.orders, {schema}.sessions;";
    String wrongOrder = "DROP VIEW {schema}.active_sessions;\nDROP TABLE {schema}.sessions, {schema}.orders;";

    assertThatCode(() -> validate(planWithCatalog(dropped))).doesNotThrowAnyException();
    assertThatThrownBy(() -> planWithCatalog(wrongOrder)).hasMessageContaining("orders_session_fk");
  }

  @Test
  void aMissingTableOrAViewIsBadInputButIfExistsAcceptsAMissingOne() throws Exception {
    assertThatThrownBy(() -> validate(planBlind("DROP TABLE {schema}.sesions;")))
        .satisfies(e -> assertThat(((ZdmException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
        .hasMessageContaining("table " + db.schema() + ".sesions does not exist");
    assertThatThrownBy(() -> validate(planBlind("DROP TABLE {schema}.active_sessions;")))
        .hasMessageContaining(db.schema() + ".active_sessions is a view");
    assertThatCode(() -> validate(planBlind("DROP TABLE IF EXISTS {schema}.sesions;"))).doesNotThrowAnyException();
    assertThatCode(() -> validate(planBlind("DROP TABLE {schema}.lonely;"))).doesNotThrowAnyException();
  }
}
