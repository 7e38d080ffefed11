package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zdm analyze --trace} with a target database: the "production" tables (a schema of their
 * own on the test server, with real rows) are read for statistics only, the files run on a
 * scratch copy of the schema, and each estimate follows what PostgreSQL did there.
 */
class TracedEstimateTest {
  private static final int ROWS = 50_000;

  @TempDir Path dir;
  private String schema;
  private Connection production;

  @BeforeEach
  void production() throws SQLException {
    schema = "zdm_est_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    production = DriverManager.getConnection(LockFactsTest.databaseUrl());
    try (Statement s = production.createStatement()) {
      s.execute(schemaSql());
      s.execute("INSERT INTO " + schema + ".users SELECT g FROM generate_series(1, 1000) g");
      s.execute("INSERT INTO " + schema + ".orders SELECT g, 1 + g % 1000, 'open', md5(g::text)"
          + " FROM generate_series(1, " + ROWS + ") g");
      s.execute("ANALYZE " + schema + ".users, " + schema + ".orders");
      flushStatistics(s);
    }
  }

  @AfterEach
  void dropProduction() throws SQLException {
    try (Statement s = production.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } finally {
      production.close();
    }
  }

  private String schemaSql() {
    return """
        CREATE SCHEMA %1$s;
        CREATE FUNCTION %1$s.answer() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 42';
        CREATE TABLE %1$s.users (id bigint PRIMARY KEY);
        CREATE TABLE %1$s.orders (id bigint PRIMARY KEY, user_id bigint, status text, note text);
        """.formatted(schema);
  }

  @Test
  void eachEstimateFollowsTheTracedLockAndWorkOnTheRealSize() throws Exception {
    Path dump = Files.writeString(dir.resolve("schema.sql"), schemaSql());
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(migrations.resolve("V1__score.sql"),
        "ALTER TABLE %1$s.orders ADD COLUMN score int DEFAULT %1$s.answer();\n".formatted(schema));
    Files.writeString(migrations.resolve("V2__required.sql"),
        "ALTER TABLE %s.orders ALTER COLUMN status SET NOT NULL;\n".formatted(schema));
    Files.writeString(migrations.resolve("V3__fk.sql"), """
        ALTER TABLE %1$s.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id)
          REFERENCES %1$s.users (id) NOT VALID;
        ALTER TABLE %1$s.orders VALIDATE CONSTRAINT orders_user_fk;
        """.formatted(schema));
    Files.writeString(migrations.resolve("V4__drop.sql"),
        "ALTER TABLE %s.orders DROP COLUMN note;\n".formatted(schema));
    long scansBefore = productionSeqScans();
    TableStatistics.TableSize orders = new TableStatistics(production)
        .size(new TableRef(schema, "orders")).orElseThrow();
    assertThat(orders.rows()).isEqualTo(ROWS);

    AnalysisReport report = ScratchAnalysis.analyze(DatabaseConfig.of(LockFactsTest.databaseUrl()),
        false, dump, true, List.of(migrations.toString()), note -> {}, production);

    String table = schema + ".orders";
    String size = table + ": " + orders.totalBytes() / 1024 + " kB, ~" + ROWS
        + " rows (pg_class on the target database), %s";

    // The rules say ADD COLUMN ... DEFAULT f() rewrites; answer() is IMMUTABLE, so PostgreSQL
    // stored the default in the catalog: the lock is held for no time that grows with the table.
    StatementAnalysis score = report.files().get(0).statements().get(0);
    assertThat(score.estimate().basis()).as("static: a rewrite of the real table")
        .contains("rewrite").contains("~" + ROWS + " rows (pg_class)")
        .contains("measured on the scratch server");
    TracedEstimate tracedScore = report.files().get(0).trace().at(1).estimate();
    assertThat(tracedScore.lock()).isEqualTo(LockMode.ACCESS_EXCLUSIVE);
    assertThat(tracedScore.estimate().lockMillis()).isZero();
    assertThat(tracedScore.estimate().basis()).contains("neither rewrote nor scanned " + table);
    assertThat(tracedScore.changedFacts())
        .containsExactly("rewrite: zdm says yes, PostgreSQL rewrote nothing");

    // SET NOT NULL: PostgreSQL scanned the table under ACCESS EXCLUSIVE, as the rules say.
    FileAnalysis required = report.files().get(1);
    TracedEstimate tracedRequired = required.trace().at(1).estimate();
    assertThat(required.trace().at(1).scanned()).containsExactly(table);
    assertThat(tracedRequired.lock()).isEqualTo(LockMode.ACCESS_EXCLUSIVE);
    assertThat(tracedRequired.estimate().basis())
        .contains(size.formatted("scanned at ")).contains("pg_class on the target database");
    assertThat(tracedRequired.changedFacts()).isEmpty();
    assertThat(tracedRequired.complete()).isTrue();
    // A table this small is scanned well within the acceptable lock time on this server, and
    // both estimates say so: the trace's scan does not overturn the static verdict.
    if (tracedRequired.estimate().lockMillis() < CatalogDowntimeEstimator.ACCEPTABLE_LOCK_MILLIS
        && required.statements().get(0).estimate().lockMillis()
            < CatalogDowntimeEstimator.ACCEPTABLE_LOCK_MILLIS) {
      assertThat(required.safe()).isTrue();
      assertThat(required.trace().disagreements()).isEmpty();
    }

    // Flyway runs V3 in one transaction: the validation scans while the transaction still holds
    // the SHARE ROW EXCLUSIVE that ADD FOREIGN KEY took, which blocks writes.
    TracedEstimate validate = report.files().get(2).trace().at(3).estimate();
    assertThat(validate.lock()).isEqualTo(LockMode.SHARE_ROW_EXCLUSIVE);
    assertThat(validate.estimate().basis()).contains(size.formatted("scanned at "));
    assertThat(validate.changedFacts()).as("the rules know the held lock too").isEmpty();
    assertThat(report.files().get(2).statements().get(1).estimate().basis())
        .contains("~" + ROWS + " rows (pg_class)");

    String json = new JsonReportRenderer().render(report);
    assertThat(json).contains("\"changedFacts\" : [ \"rewrite: zdm says yes, PostgreSQL rewrote"
        + " nothing\" ]").contains("\"estimatedLockMillis\" : 0");
    String text = new TextReportRenderer().render(report);
    assertThat(text).contains("estimate: static ~" + score.estimate().lockMillis()
        + " ms  |  traced ~0 ms under AccessExclusiveLock")
        .contains("the trace changed rewrite: zdm says yes, PostgreSQL rewrote nothing");
    String sarif = new SarifReportRenderer().render(report);
    // DROP COLUMN is unsafe for the application, not for its lock time: its SARIF result carries
    // the traced estimate (catalog only).
    assertThat(report.files().get(3).safe()).isFalse();
    assertThat(sarif).contains("\"changedFacts\"").contains("\"estimatedLockMillis\" : 0");

    // Production was only read from its statistics: nothing changed and nothing scanned it.
    try (Statement s = production.createStatement();
        ResultSet rows = s.executeQuery("SELECT count(*) FROM information_schema.columns"
            + " WHERE table_schema = '" + schema + "' AND column_name = 'score'")) {
      rows.next();
      assertThat(rows.getLong(1)).isZero();
    }
    try (Statement s = production.createStatement()) {
      flushStatistics(s);
    }
    assertThat(productionSeqScans()).isEqualTo(scansBefore);
  }

  @Test
  void aTableSomeoneHoldsLockedIsUnknownInsteadOfWaitedFor() throws Exception {
    try (Connection holder = DriverManager.getConnection(LockFactsTest.databaseUrl());
        Connection reader = DriverManager.getConnection(LockFactsTest.databaseUrl())) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE " + schema + ".orders IN ACCESS EXCLUSIVE MODE");
      }
      TableStatistics statistics = new TableStatistics(reader);

      assertThat(statistics.size(new TableRef(schema, "orders"))).isEmpty();
      holder.rollback();
    }
  }

  @Test
  void aTracedScanIsUnsafeOnlyWhenTheRealTableMakesItLong() throws Exception {
    Path file = Files.writeString(dir.resolve("V1__required.sql"),
        "ALTER TABLE %s.orders ALTER COLUMN status SET NOT NULL;\n".formatted(schema));
    FileAnalysis judged = new MigrationAnalyzer().analyze(List.of(file.toString())).files().get(0);
    assertThat(judged.safe()).as("no database: size unknown").isFalse();
    String table = schema + ".orders";
    TracedStatement scanned = new TracedStatement(1, Map.of(table, LockMode.ACCESS_EXCLUSIVE),
        Map.of(table, LockMode.ACCESS_EXCLUSIVE), true, List.of(), List.of(table), null, true);
    FileTrace trace = new FileTrace(List.of(scanned), null, null, List.of());
    TableStatistics statistics = new TableStatistics(production);
    // Rates given, not measured: what is asserted must not depend on this machine's speed.
    SampleRates fast = new SampleRates(new SampleRates.Rates(1e9, 1e9, 1e9), "a fast server");
    SampleRates slow = new SampleRates(new SampleRates.Rates(1, 1, 1), "a slow server");

    FileAnalysis small = TraceComparison.merge(judged, trace,
        new TracedDowntimeEstimator(statistics, fast));
    FileAnalysis large = TraceComparison.merge(judged, trace,
        new TracedDowntimeEstimator(statistics, slow));

    assertThat(small.safe()).isTrue();
    assertThat(small.statements().get(0).reason())
        .startsWith("traced: the table is small enough: estimated 0 ms under the lock");
    assertThat(large.safe()).isFalse();
    TracedEstimate long_ = large.trace().at(1).estimate();
    long heapBytes = statistics.size(new TableRef(schema, "orders")).orElseThrow().heapBytes();
    assertThat(long_.estimate().lockMillis()).as("heap bytes at 1 byte/ms").isEqualTo(heapBytes);
    assertThat(long_.estimate().basis()).contains("rates measured on a slow server");
  }

  /** The session's counters reach pg_stat_user_tables when this statement ends, not up to 1 s later. */
  private static void flushStatistics(Statement s) throws SQLException {
    try (ResultSet done = s.executeQuery("SELECT pg_stat_force_next_flush()")) {
      done.next();
    }
  }

  /** Sequential scans of the production tables, as the statistics collector has them now. */
  private long productionSeqScans() throws SQLException {
    try (Connection c = DriverManager.getConnection(LockFactsTest.databaseUrl());
        Statement s = c.createStatement()) {
      try (ResultSet flush = s.executeQuery("SELECT pg_stat_clear_snapshot()")) {
        flush.next();
      }
      try (ResultSet rows = s.executeQuery("SELECT coalesce(sum(seq_scan), 0)"
          + " FROM pg_stat_user_tables WHERE schemaname = '" + schema + "'")) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}
