package dev.zdm.engine.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.activities.DdlStatement;
import dev.zdm.activities.ZdmFailures;
import dev.zdm.postgres.StatementContext;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A direct statement whose first attempt committed but whose completion was lost: the retry meets
 * its own work and must count as done, while the same error on a first attempt stays an error.
 */
class RepeatableDdlTest {
  private TestDatabase db;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("repeatable");
    db.execute("CREATE TABLE {schema}.items (id bigint PRIMARY KEY, name text)");
    db.execute("INSERT INTO {schema}.items SELECT n, 'n' || (n % 10) FROM generate_series(1, 100) n");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private String sql(String statement) {
    return statement.replace("{schema}", "\"" + db.schema() + "\"");
  }

  /** Runs a statement as the DDL activity does on the given attempt. */
  private void run(String statement, boolean transactional, int attempt) {
    StatementContext context = new StatementContext("m-retry", "step 1: test", transactional,
        Duration.ofMillis(200), transactional ? Duration.ofSeconds(10) : Duration.ZERO, attempt);
    db.target().runner().run(context, new RepeatableDdl(context, sql(statement)));
  }

  private long breakerFailures() {
    return db.queryLong("SELECT failure_count FROM {schema}._migration_circuit_breakers");
  }

  @Test
  void aRetriedStatementThatAlreadyCommittedCountsAsDone() {
    for (String statement : new String[] {
        "ALTER TABLE {schema}.items ADD COLUMN note text",
        "CREATE TABLE {schema}.audit (id bigint)",
        "ALTER TABLE {schema}.items ADD CONSTRAINT items_name_set CHECK (name IS NOT NULL) NOT VALID",
        "ALTER TABLE {schema}.items DROP COLUMN note",
        "DROP TABLE {schema}.audit"}) {
      run(statement, true, 1);
      run(statement, true, 2);
    }
    run("CREATE INDEX CONCURRENTLY items_name ON {schema}.items (name)", false, 1);
    long built = db.queryLong("SELECT to_regclass('{schema}.items_name')::oid");
    run("CREATE INDEX CONCURRENTLY items_name ON {schema}.items (name)", false, 3);
    assertThat(db.queryLong("SELECT to_regclass('{schema}.items_name')::oid"))
        .as("a valid index is kept, not built again").isEqualTo(built);
    run("DROP INDEX CONCURRENTLY {schema}.items_name", false, 1);
    run("DROP INDEX CONCURRENTLY {schema}.items_name", false, 2);
    assertThat(breakerFailures()).as("a repeat is not a failure").isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_constraint WHERE conname = 'items_name_set'"
        + " AND connamespace = '" + db.schema() + "'::regnamespace")).isEqualTo(1);
  }

  @Test
  void onTheFirstAttemptADuplicateStaysAnError() {
    DdlActivitiesImpl ddl = new DdlActivitiesImpl(db.target());
    DdlStatement statement = new DdlStatement("m-retry", "step 1: add name",
        sql("ALTER TABLE {schema}.items ADD COLUMN name text"), true, Duration.ofMillis(200),
        Duration.ofSeconds(10));
    assertThatThrownBy(() -> ddl.runDdl(statement))
        .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
          assertThat(failure.getType()).isEqualTo(ZdmFailures.SQL_REFUSED);
          assertThat(failure.isNonRetryable()).isTrue();
          assertThat(failure.getOriginalMessage()).contains("m-retry").contains("42701");
        });
  }

  @Test
  void aRetryIsDoneOnlyWhenTheCatalogShowsWhatTheStatementMakes() {
    db.execute("CREATE TABLE {schema}.other (id bigint)");
    db.execute("CREATE INDEX taken ON {schema}.other (id)");
    assertThatThrownBy(() -> run("CREATE INDEX CONCURRENTLY taken ON {schema}.items (name)", false, 2))
        .as("the name is taken by an index on another table")
        .isInstanceOfSatisfying(ApplicationFailure.class,
            failure -> assertThat(failure.getType()).isEqualTo(ZdmFailures.SQL_REFUSED));
    assertThatThrownBy(() -> run("CREATE TABLE {schema}.taken (id bigint)", true, 2))
        .as("the name is an index's, not a table's")
        .isInstanceOf(ApplicationFailure.class);
    run("ALTER TABLE {schema}.items ADD COLUMN note text, ALTER COLUMN name SET DEFAULT 'x'", true, 1);
    assertThatThrownBy(() -> run(
        "ALTER TABLE {schema}.items ADD COLUMN note text, ALTER COLUMN name SET DEFAULT 'x'", true, 2))
        .as("a clause the catalog check cannot vouch for keeps the error")
        .isInstanceOf(ApplicationFailure.class);
  }
}
