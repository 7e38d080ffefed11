package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A type change whose cost depends on the column's current type is reported as depending on it
 * when zdm cannot see the schema, and judged when it can; the rewrite is checked on the server
 * (pg_relation_filenode before and after).
 */
class TypeDependentVerdictTest {
  @TempDir Path dir;

  @Test
  void withoutASchemaAWideningSaysWhatItDependsOnInsteadOfCallingItUnsafe() throws Exception {
    AnalysisReport widen = analyze(null,
        "ALTER TABLE users ALTER COLUMN username TYPE varchar(100);\n");
    AnalysisReport precision = analyze(null,
        "ALTER TABLE invoices ALTER COLUMN amount TYPE numeric(12, 2);\n");
    AnalysisReport bigint = analyze(null, "ALTER TABLE users ALTER COLUMN id TYPE bigint;\n");

    StatementAnalysis statement = widen.files().get(0).statements().get(0);
    assertThat(statement.verdict()).isEqualTo("depends");
    assertThat(statement.dependsOn()).isEqualTo("the current type of users.username: safe if it"
        + " is varchar(m) with m ≤ 100 (catalog only, no rewrite); any other type rewrites the"
        + " table (dual-write)");
    assertThat(statement.safe()).as("planned as unsafe: zdm start must not rewrite blindly")
        .isFalse();
    assertThat(widen.exitCode()).isEqualTo(AnalysisReport.EXIT_SAFE);
    assertThat(widen.files().get(0).verdict()).isEqualTo("depends");
    assertThat(precision.files().get(0).statements().get(0).dependsOn())
        .contains("safe if it is numeric(p, 2) with p ≤ 12");
    assertThat(bigint.files().get(0).verdict()).isEqualTo("unsafe");
    assertThat(bigint.exitCode()).isEqualTo(AnalysisReport.EXIT_UNSAFE);
    assertThat(new JsonReportRenderer().render(widen))
        .contains("\"verdict\" : \"depends\"").contains("\"dependsOn\" : \"the current type");
    assertThat(new SarifReportRenderer().render(widen))
        .contains("zdm/depends-on-current-schema").contains("\"level\" : \"warning\"");
  }

  @Test
  void withTheCatalogTheSameChangesAreJudgedAndAgreeWithTheServer() throws Exception {
    String setup = """
        CREATE TABLE %1$s.users (id int PRIMARY KEY, username varchar(50), bio text,
                                 balance numeric(10, 2));
        INSERT INTO %1$s.users SELECT g, 'u' || g, 'b', g FROM generate_series(1, 500) g;
        """;
    try (ScratchSchema schema = new ScratchSchema("zdm_types", setup)) {
      CatalogColumnTypes catalog = new CatalogColumnTypes(schema.connection());
      String table = schema.name() + ".users";
      String widen = "ALTER TABLE " + table + " ALTER COLUMN username TYPE varchar(100)";
      String fromText = "ALTER TABLE " + table + " ALTER COLUMN bio TYPE varchar(100)";
      String precision = "ALTER TABLE " + table + " ALTER COLUMN balance TYPE numeric(12, 2)";

      assertThat(verdict(catalog, widen)).isEqualTo("safe");
      assertThat(verdict(catalog, fromText)).isEqualTo("unsafe");
      assertThat(verdict(catalog, precision)).isEqualTo("safe");

      assertThat(rewrites(schema, widen)).isFalse();
      assertThat(rewrites(schema, fromText)).isTrue();
      assertThat(rewrites(schema, precision)).isFalse();
    }
  }

  @Test
  void timestampToTimestamptzDependsOnTheSessionTimeZoneAsOnTheServer() throws Exception {
    String setup = """
        CREATE TABLE %1$s.events (id int PRIMARY KEY, at timestamp);
        INSERT INTO %1$s.events SELECT g, now() FROM generate_series(1, 100) g;
        """;
    try (ScratchSchema schema = new ScratchSchema("zdm_types", setup)) {
      String change = "ALTER TABLE " + schema.name() + ".events ALTER COLUMN at TYPE timestamptz";
      AnalysisReport report = analyze(new CatalogColumnTypes(schema.connection()), change + ";\n");
      StatementAnalysis statement = report.files().get(0).statements().get(0);

      assertThat(statement.verdict()).isEqualTo("depends");
      assertThat(statement.dependsOn()).startsWith("the session TimeZone of the migration");
      AnalysisReport inUtc = analyze(new CatalogColumnTypes(schema.connection()),
          "SET timezone = 'UTC';\n" + change + " USING at;\n");
      assertThat(inUtc.files().get(0).statements().get(1).verdict())
          .as("SET timezone = 'UTC' first, and USING the column itself").isEqualTo("safe");
      assertThat(inUtc.files().get(0).statements().get(1).rewrite()).isFalse();

      try (Statement s = schema.connection().createStatement()) {
        s.execute("SET TimeZone = 'Europe/Paris'");
        String back = "ALTER TABLE " + schema.name() + ".events ALTER COLUMN at TYPE timestamp";
        assertThat(rewrites(schema, change)).as("outside UTC").isTrue();
        assertThat(rewrites(schema, back)).isTrue();
        s.execute("SET TimeZone = 'UTC'");
        assertThat(rewrites(schema, change)).as("in UTC").isFalse();
      }
    }
  }

  @Test
  void inUtcAnIndexedTimestampColumnIsNotRewrittenButItsIndexIsRebuiltFromAFullScan()
      throws Exception {
    String setup = """
        CREATE TABLE %1$s.visits (id int PRIMARY KEY, at timestamp);
        CREATE INDEX visits_at_idx ON %1$s.visits (at);
        INSERT INTO %1$s.visits SELECT g, now() FROM generate_series(1, 100) g;
        """;
    try (ScratchSchema schema = new ScratchSchema("zdm_types", setup)) {
      String change = "ALTER TABLE " + schema.name() + ".visits ALTER COLUMN at TYPE timestamptz";
      String file = "SET timezone = 'UTC';\n" + change + ";\n";

      StatementAnalysis withCatalog = analyze(new CatalogColumnTypes(schema.connection()), file)
          .files().get(0).statements().get(1);
      assertThat(withCatalog.verdict()).isEqualTo("unsafe");
      assertThat(withCatalog.scanUnderLock()).isTrue();
      assertThat(withCatalog.rewrite()).isFalse();

      try (Statement s = schema.connection().createStatement()) {
        s.execute("SET TimeZone = 'UTC'");
        schema.connection().setAutoCommit(false);
        String scans = "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = '"
            + schema.quoted() + ".visits'::regclass";
        long before = count(s, scans);
        assertThat(rewrites(schema, change)).isFalse();
        assertThat(count(s, scans) - before).as("the index rebuild reads the table").isPositive();
      } finally {
        schema.connection().rollback();
        schema.connection().setAutoCommit(true);
      }
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private String verdict(CatalogColumnTypes catalog, String sql) throws Exception {
    AnalysisReport report = analyze(catalog, sql + ";\n");
    return report.files().get(0).statements().get(0).verdict();
  }

  private AnalysisReport analyze(ColumnTypeSource catalog, String sql) throws Exception {
    Path file = Files.createTempFile(dir, "change", ".sql");
    Files.writeString(file, sql);
    MigrationAnalyzer analyzer = catalog == null ? new MigrationAnalyzer()
        : new MigrationAnalyzer(null, catalog);
    return analyzer.analyze(List.of(file.toString()));
  }

  /** True when {@code sql} gave the table (the word after ALTER TABLE schema.) a new file. */
  private static boolean rewrites(ScratchSchema schema, String sql) throws SQLException {
    String table = sql.replaceAll("(?s)^ALTER TABLE [^.]+\\.(\\w+) .*$", "$1");
    try (Statement s = schema.connection().createStatement()) {
      long before = filenode(s, schema, table);
      s.execute(sql);
      return before != filenode(s, schema, table);
    }
  }

  private static long filenode(Statement s, ScratchSchema schema, String table)
      throws SQLException {
    try (ResultSet rows = s.executeQuery(
        "SELECT pg_relation_filenode('" + schema.quoted() + "." + table + "')")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
