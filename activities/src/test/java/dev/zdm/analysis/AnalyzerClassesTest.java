package dev.zdm.analysis;

import static dev.zdm.analysis.FileAnalysisFixture.analyze;
import static dev.zdm.analysis.FileAnalysisFixture.statementAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classes issue 11 found misjudged, each judged by the analyzer and checked against what
 * PostgreSQL 15 does with the same SQL (pg_locks from a second session, a probe that waits or not,
 * pg_index, row counts).
 */
class AnalyzerClassesTest {
  private static final String TABLE = """
      CREATE TABLE %1$s.t (id int PRIMARY KEY, b int);
      CREATE INDEX t_b_idx ON %1$s.t (b);
      INSERT INTO %1$s.t SELECT g, g FROM generate_series(1, 2000) g;
      """;

  @TempDir Path dir;

  @Test
  void dropIndexWithoutConcurrentlyIsUnsafeBecauseItTakesAccessExclusiveOnTheTable()
      throws Exception {
    String drop = "DROP INDEX t_b_idx";
    FileAnalysis file = analyze(dir, "plain/001_drop.sql", drop + ";\n");
    FileAnalysis concurrent =
        analyze(dir, "plain/002_drop.sql", "DROP INDEX CONCURRENTLY t_b_idx;\n");

    assertThat(file.safe()).isFalse();
    assertThat(file.recommendedStrategy()).isEqualTo(RecommendedStrategy.CONCURRENT_INDEX);
    assertThat(statementAt(file, 1).saferSql()).startsWith("DROP INDEX CONCURRENTLY t_b_idx");
    assertThat(concurrent.safe()).isTrue();

    try (ScratchSchema schema = new ScratchSchema("zdm_cls", TABLE);
        ServerProbe probe = new ServerProbe()) {
      Connection migration = inTransaction(schema);
      try (Statement s = migration.createStatement()) {
        s.execute(drop);
        assertThat(probe.locksHeldBy(ServerProbe.pid(migration)))
            .containsEntry(schema.name() + ".t", LockMode.ACCESS_EXCLUSIVE);
        assertThat(probe.runsWithoutWaiting("SELECT count(*) FROM " + schema.quoted() + ".t"))
            .as("a reader behind DROP INDEX").isFalse();
      } finally {
        end(migration);
      }
    }
  }

  @Test
  void anUpdateBoundedToOneBatchIsSafeAndLocksOnlyItsBatch() throws Exception {
    String batch = "UPDATE t SET b = -b WHERE id IN (SELECT id FROM t WHERE b > 0 ORDER BY id"
        + " LIMIT 100)";
    FileAnalysis bounded = analyze(dir, "plain/003_batch.sql", batch + ";\n");
    FileAnalysis sweeping = analyze(dir, "plain/004_all.sql", "UPDATE t SET b = -b WHERE b > 0;\n");
    FileAnalysis tooBig = analyze(dir, "plain/005_big.sql",
        "UPDATE t SET b = -b WHERE id IN (SELECT id FROM t LIMIT 1000000);\n");

    assertThat(bounded.safe()).isTrue();
    assertThat(statementAt(bounded, 1).reason()).contains("at most 100 rows");
    assertThat(sweeping.safe()).isFalse();
    assertThat(tooBig.safe()).isFalse();

    try (ScratchSchema schema = new ScratchSchema("zdm_cls", TABLE);
        ServerProbe probe = new ServerProbe()) {
      Connection migration = inTransaction(schema);
      try (Statement s = migration.createStatement()) {
        assertThat(s.executeUpdate(batch)).isEqualTo(100);
        assertThat(probe.locksHeldBy(ServerProbe.pid(migration)))
            .containsEntry(schema.name() + ".t", LockMode.ROW_EXCLUSIVE);
        assertThat(probe.runsWithoutWaiting(
            "UPDATE " + schema.quoted() + ".t SET b = b WHERE id = 1500"))
            .as("a writer to a row outside the batch").isTrue();
      } finally {
        end(migration);
      }
    }
  }

  @Test
  void aDoBlockThatCommitsEachKeyRangeIsSafeAndRunsOneTransactionPerBatch() throws Exception {
    String block = """
        DO $$
        DECLARE
          last_id int := 0;
          max_id int;
        BEGIN
          SELECT max(id) INTO max_id FROM t;
          WHILE last_id < max_id LOOP
            UPDATE t SET b = -b WHERE id > last_id AND id <= last_id + 500;
            INSERT INTO batches VALUES (txid_current());
            last_id := last_id + 500;
            COMMIT;
          END LOOP;
        END $$""";
    FileAnalysis committing = analyze(dir, "plain/006_batches.sql", block + ";\n");
    FileAnalysis oneTransaction = analyze(dir, "plain/007_no_commit.sql",
        block.replace("COMMIT;", "") + ";\n");

    assertThat(committing.error()).isNull();
    assertThat(committing.safe()).isTrue();
    assertThat(statementAt(committing, 1).transactional()).isFalse();
    assertThat(oneTransaction.safe()).isFalse();
    assertThat(oneTransaction.recommendedStrategy()).isEqualTo(RecommendedStrategy.PROGRESSIVE);

    try (ScratchSchema schema = new ScratchSchema("zdm_cls",
        TABLE + "CREATE TABLE %1$s.batches (txid bigint);")) {
      try (Statement s = schema.connection().createStatement()) {
        s.execute("SET search_path = " + schema.quoted());
        s.execute(block);
        assertThat(count(s, "SELECT count(DISTINCT txid) FROM batches")).isEqualTo(4);
        assertThat(count(s, "SELECT count(*) FROM t WHERE b < 0")).isEqualTo(2000);
      }
    }
  }

  @Test
  void thePartitionedIndexRecipeIsSafeAndBuildsNothingUnderTheParentsShareLock()
      throws Exception {
    String onOnly = "CREATE INDEX m_k_idx ON ONLY m (k)";
    String recipe = onOnly + ";\n"
        + "CREATE INDEX CONCURRENTLY m1_k_idx ON m1 (k);\n"
        + "ALTER INDEX m_k_idx ATTACH PARTITION m1_k_idx;\n"
        + "CREATE INDEX CONCURRENTLY m2_k_idx ON m2 (k);\n"
        + "ALTER INDEX m_k_idx ATTACH PARTITION m2_k_idx;\n";
    FileAnalysis file = analyze(dir, "plain/008_partitioned_index.sql", recipe);

    assertThat(file.safe()).isTrue();
    assertThat(statementAt(file, 1).reason()).contains("nothing is built");
    ColumnTypes known = new ColumnTypes();
    known.rememberPartitioned(dev.zdm.model.TableRef.of("p"), false);
    assertThat(new LockRules(known).facts(new StatementClassifier()
        .classify(new SqlStatement(1, "CREATE INDEX p_k ON ONLY p (k)", null)).get(0))
        .scanUnderLock()).as("ON ONLY a plain table builds the index").isTrue();

    String setup = """
        CREATE TABLE %1$s.m (id int, k int) PARTITION BY RANGE (k);
        CREATE TABLE %1$s.m1 PARTITION OF %1$s.m FOR VALUES FROM (0) TO (100);
        CREATE TABLE %1$s.m2 PARTITION OF %1$s.m FOR VALUES FROM (100) TO (200);
        INSERT INTO %1$s.m SELECT g, g %% 200 FROM generate_series(1, 2000) g;
        """;
    try (ScratchSchema schema = new ScratchSchema("zdm_cls", setup);
        ServerProbe probe = new ServerProbe()) {
      Connection migration = inTransaction(schema);
      try (Statement s = migration.createStatement()) {
        s.execute(onOnly);
        assertThat(probe.locksHeldBy(ServerProbe.pid(migration)))
            .containsEntry(schema.name() + ".m", LockMode.SHARE)
            .doesNotContainKeys(schema.name() + ".m1", schema.name() + ".m2");
        assertThat(count(s, "SELECT count(*) FROM pg_index WHERE indrelid IN ('m1'::regclass,"
            + " 'm2'::regclass)")).as("indexes built on the partitions").isZero();
        migration.commit();
        migration.setAutoCommit(true);
        for (String statement : recipe.split(";\n")) {
          if (!statement.equals(onOnly)) {
            s.execute(statement);
          }
        }
        assertThat(count(s, "SELECT count(*) FROM pg_index WHERE indexrelid = 'm_k_idx'::regclass"
            + " AND indisvalid")).as("the parent's index once every partition's is attached")
            .isEqualTo(1);
      } finally {
        end(migration);
      }
    }
  }

  @Test
  void aHandBuiltTableSwapIsBlueGreenBecauseWritesAfterTheCopyAreLost() throws Exception {
    String[] swap = {
        "CREATE TABLE t_new (LIKE t INCLUDING ALL)",
        "INSERT INTO t_new SELECT * FROM t",
        "ALTER TABLE t RENAME TO t_old",
        "ALTER TABLE t_new RENAME TO t",
        "DROP TABLE t_old"};
    FileAnalysis file = analyze(dir, "plain/010_swap.sql", String.join(";\n", swap) + ";\n");

    assertThat(file.recommendedStrategy()).isEqualTo(RecommendedStrategy.BLUE_GREEN);
    assertThat(statementAt(file, 3).strategy()).isEqualTo(RecommendedStrategy.BLUE_GREEN);
    assertThat(statementAt(file, 3).reason()).contains("rows written to it after the copy");
    assertThat(statementAt(file, 4).safe()).isTrue();
    assertThat(statementAt(file, 5).strategy()).isEqualTo(RecommendedStrategy.BLUE_GREEN);

    try (ScratchSchema schema = new ScratchSchema("zdm_cls", TABLE)) {
      try (Statement s = schema.connection().createStatement()) {
        s.execute("SET search_path = " + schema.quoted());
        s.execute(swap[0]);
        s.execute(swap[1]);
        try (Connection application = java.sql.DriverManager.getConnection(
            LockFactsTest.databaseUrl()); Statement a = application.createStatement()) {
          a.execute("INSERT INTO " + schema.quoted() + ".t VALUES (5000, 5000)");
        }
        s.execute(swap[2]);
        s.execute(swap[3]);
        assertThat(count(s, "SELECT count(*) FROM t WHERE id = 5000"))
            .as("the row the application wrote after the copy").isZero();
      }
    }
  }

  @Test
  void anInvalidStatementAfterValidOnesIsReportedWithItsLineLikeTheServerDoes()
      throws Exception {
    String misspelt = "ALTER TABLE t ADD COLUM c int";
    FileAnalysis file = analyze(dir, "plain/011_typo.sql",
        "ALTER TABLE t ADD COLUMN a int;\n" + misspelt + ";\n");

    assertThat(file.error()).matches(".*011_typo\\.sql:2: syntax error at 'int'.*");

    try (ScratchSchema schema = new ScratchSchema("zdm_cls", TABLE);
        Statement s = schema.connection().createStatement()) {
      s.execute("SET search_path = " + schema.quoted());
      assertThatThrownBy(() -> s.execute(misspelt))
          .isInstanceOfSatisfying(SQLException.class,
              e -> assertThat(e.getSQLState()).isEqualTo("42601"))
          .hasMessageContaining("syntax error at or near \"int\"");
    }
  }

  @Test
  void anArrayDefaultAndATemporaryTableAsSelectAreReadAsTheServerRunsThem() throws Exception {
    String[] statements = {
        "ALTER TABLE t ADD COLUMN tags text[] NOT NULL DEFAULT ARRAY['a','b']",
        "CREATE TABLE labels (id int, names varchar(20)[] DEFAULT ARRAY['x', 'y']::varchar(20)[])",
        "CREATE TEMP TABLE recent ON COMMIT DROP AS SELECT id FROM t WHERE id > 1990",
        "CREATE TABLE pairs (a, b) AS SELECT 1, 2"};
    FileAnalysis file = analyze(dir, "plain/012_read.sql", String.join(";\n", statements) + ";\n");

    assertThat(file.error()).isNull();
    assertThat(file.safe()).isTrue();
    assertThat(statementAt(file, 3).kind()).isEqualTo("create-table-as");

    try (ScratchSchema schema = new ScratchSchema("zdm_cls", TABLE);
        Statement s = schema.connection().createStatement()) {
      s.execute("SET search_path = " + schema.quoted());
      schema.connection().setAutoCommit(false);
      for (String statement : statements) {
        s.execute(statement);
      }
      schema.connection().commit();
      schema.connection().setAutoCommit(true);
    }
  }

  @Test
  void setNotNullOnAColumnThatIsAlreadyNotNullIsANoOpWithoutAScan() throws Exception {
    String setup = "CREATE TABLE %1$s.u (id int PRIMARY KEY, a int NOT NULL, b int);"
        + " INSERT INTO %1$s.u SELECT g, g, g FROM generate_series(1, 500) g;";
    try (ScratchSchema schema = new ScratchSchema("zdm_cls", setup)) {
      String table = schema.name() + ".u";
      String already = "ALTER TABLE " + table + " ALTER COLUMN a SET NOT NULL";
      String nullable = "ALTER TABLE " + table + " ALTER COLUMN b SET NOT NULL";
      MigrationAnalyzer analyzer =
          new MigrationAnalyzer(null, new CatalogColumnTypes(schema.connection()));
      java.nio.file.Path first = java.nio.file.Files.writeString(dir.resolve("001_a.sql"), already);
      java.nio.file.Path second = java.nio.file.Files.writeString(dir.resolve("002_b.sql"), nullable);

      assertThat(analyzer.analyze(java.util.List.of(first.toString())).files().get(0).safe())
          .isTrue();
      assertThat(analyzer.analyze(java.util.List.of(second.toString())).files().get(0).safe())
          .isFalse();

      Connection migration = inTransaction(schema);
      try (Statement s = migration.createStatement()) {
        assertThat(scansOf(s, already, schema)).isZero();
        assertThat(scansOf(s, nullable, schema)).isEqualTo(1);
      } finally {
        end(migration);
      }
    }
  }

  /** Full scans of u the statement made (pg_stat_xact_user_tables, inside the transaction). */
  private static long scansOf(Statement s, String sql, ScratchSchema schema) throws SQLException {
    String scans = "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = '"
        + schema.quoted() + ".u'::regclass";
    long before = count(s, scans);
    s.execute(sql);
    return count(s, scans) - before;
  }

  private static Connection inTransaction(ScratchSchema schema) throws SQLException {
    Connection connection = schema.connection();
    try (Statement s = connection.createStatement()) {
      s.execute("SET search_path = " + schema.quoted());
    }
    connection.setAutoCommit(false);
    return connection;
  }

  private static void end(Connection connection) throws SQLException {
    if (!connection.getAutoCommit()) {
      connection.rollback();
      connection.setAutoCommit(true);
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
