package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The estimator against the real database: sizes from pg_class of a small table in its own
 * schema, rates measured on a temporary sample. Asserts what it says and on what basis, never how
 * long anything took.
 */
class CatalogDowntimeEstimatorTest {
  private static final int ROWS = 5_000;
  private static final String SETUP = """
      CREATE TABLE %1$s.orders (id bigint PRIMARY KEY, customer int, total numeric(10,2));
      INSERT INTO %1$s.orders SELECT g, g %% 100, g FROM generate_series(1, %2$d) g;
      ANALYZE %1$s.orders;
      """;
  private static final Pattern BASIS = Pattern.compile(
      "\\S*orders: (\\d+) kB, ~(\\d+) rows \\(pg_class\\); (scan|rewrite|index build) (\\d+) MB/s"
          + " measured on this database with a \\d+-row sample");

  private ScratchSchema scratch;
  private Connection connection;

  @BeforeEach
  void createSchema() throws SQLException {
    scratch = new ScratchSchema("zdm_estimate", SETUP.replace("%2$d", Integer.toString(ROWS)));
    connection = scratch.connection();
  }

  @AfterEach
  void dropSchema() throws SQLException {
    scratch.close();
  }

  @Test
  void estimatesIndexBuildRewriteAndScanFromCatalogSizesAndMeasuredRates() {
    CatalogDowntimeEstimator estimator = new CatalogDowntimeEstimator(connection);
    LockRules rules = new LockRules(new ColumnTypes(new CatalogColumnTypes(connection)));

    for (String[] form : new String[][] {
        {"CREATE INDEX ON " + table() + " (customer)", "index build"},
        {"ALTER TABLE " + table() + " ALTER COLUMN customer TYPE bigint", "rewrite"},
        {"ALTER TABLE " + table() + " ALTER COLUMN customer SET NOT NULL", "scan"},
        {"UPDATE " + table() + " SET total = 0", "rewrite"}}) {
      Action action = classify(form[0]);
      Optional<DowntimeEstimate> estimate = estimator.estimate(action, rules.facts(action));

      assertThat(estimate).as(form[0]).isPresent();
      assertThat(estimate.get().lockMillis()).as(form[0]).isNotNegative();
      Matcher basis = BASIS.matcher(estimate.get().basis());
      assertThat(basis.matches()).as(estimate.get().basis()).isTrue();
      assertThat(Long.parseLong(basis.group(1))).as("table size in kB").isPositive();
      assertThat(Long.parseLong(basis.group(2))).as("row estimate").isEqualTo(ROWS);
      assertThat(basis.group(3)).isEqualTo(form[1]);
      assertThat(Long.parseLong(basis.group(4))).as("measured rate").isPositive();
    }
  }

  @Test
  void saysNothingForBriefLocksAndUnknownTables() {
    CatalogDowntimeEstimator estimator = new CatalogDowntimeEstimator(connection);
    LockRules rules = new LockRules(new ColumnTypes());
    Action brief = classify("ALTER TABLE " + table() + " ADD COLUMN note text");
    Action unknown = classify("CREATE INDEX ON " + scratch.quoted() + ".missing (a)");

    assertThat(estimator.estimate(brief, rules.facts(brief))).isEmpty();
    assertThat(estimator.estimate(unknown, rules.facts(unknown))).isEmpty();
  }

  @Test
  void analyzeWithTheDatabaseCallsAnIndexOnASmallTableSafeAndStatesTheEstimate() throws Exception {
    Path file = Files.createTempFile("zdm-estimate", ".sql");
    try {
      Files.writeString(file, "CREATE INDEX orders_customer ON " + table() + " (customer);\n");
      StatementAnalysis analysis = new MigrationAnalyzer(
          new CatalogDowntimeEstimator(connection), new CatalogColumnTypes(connection))
          .analyze(List.of(file.toString())).files().get(0).statements().get(0);

      assertThat(analysis.safe()).isTrue();
      assertThat(analysis.estimate()).isNotNull();
      assertThat(analysis.reason()).contains("estimated").contains("pg_class");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void aValidationInsideTheTransactionOfItsConstraintIsSafeOnASmallTable() throws Exception {
    Path file = Files.createTempFile("zdm-estimate", ".sql");
    try {
      Files.writeString(file, """
          BEGIN;
          ALTER TABLE %1$s ADD CONSTRAINT total_positive CHECK (total >= 0) NOT VALID;
          ALTER TABLE %1$s VALIDATE CONSTRAINT total_positive;
          COMMIT;
          """.formatted(table()));
      StatementAnalysis withDatabase = new MigrationAnalyzer(
          new CatalogDowntimeEstimator(connection), new CatalogColumnTypes(connection))
          .analyze(List.of(file.toString())).files().get(0).statements().get(2);
      StatementAnalysis without = new MigrationAnalyzer().analyze(List.of(file.toString()))
          .files().get(0).statements().get(2);

      assertThat(without.safe()).as("the held ACCESS EXCLUSIVE, size unknown").isFalse();
      assertThat(withDatabase.estimate()).isNotNull();
      if (withDatabase.estimate().lockMillis() < CatalogDowntimeEstimator.ACCEPTABLE_LOCK_MILLIS) {
        assertThat(withDatabase.safe()).as(withDatabase.reason()).isTrue();
        assertThat(withDatabase.reason()).startsWith("the table is small enough");
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private String table() {
    return scratch.quoted() + ".orders";
  }

  private static Action classify(String sql) {
    List<Action> actions = new StatementClassifier().classify(new SqlStatement(1, sql, null));
    assertThat(actions).hasSize(1);
    return actions.get(0);
  }
}
