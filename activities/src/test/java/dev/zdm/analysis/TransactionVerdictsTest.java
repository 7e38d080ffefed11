package dev.zdm.analysis;

import static dev.zdm.analysis.FileAnalysisFixture.analyze;
import static dev.zdm.analysis.FileAnalysisFixture.statementAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verdicts that know transactions (issue 11), each backed by what PostgreSQL does: locks taken in
 * a transaction are held until it ends (pg_locks from a second session, and a reader that waits),
 * and statements PostgreSQL refuses inside a transaction block fail there.
 */
class TransactionVerdictsTest {
  private static final String TABLE = """
      CREATE TABLE %1$s.t (id int PRIMARY KEY, b int);
      INSERT INTO %1$s.t SELECT g, g FROM generate_series(1, 2000) g;
      """;
  private static final String ADD_NOT_VALID =
      "ALTER TABLE t ADD CONSTRAINT t_b_positive CHECK (b > 0) NOT VALID";
  private static final String VALIDATE = "ALTER TABLE t VALIDATE CONSTRAINT t_b_positive";
  private static final String RECIPE = ADD_NOT_VALID + ";\n" + VALIDATE + ";\n";

  @TempDir Path dir;

  @Test
  void validationAfterNotValidInsideOneBeginCommitIsJudgedWithTheAccessExclusiveHeld()
      throws Exception {
    FileAnalysis file = analyze(dir, "plain/001_check.sql", "BEGIN;\n" + RECIPE + "COMMIT;\n");

    StatementAnalysis validate = statementAt(file, 3);
    assertThat(validate.safe()).isFalse();
    assertThat(validate.strategy()).isEqualTo(RecommendedStrategy.NOT_VALID_VALIDATE);
    assertThat(validate.reason()).contains("AccessExclusiveLock on t (taken at line 2)")
        .contains("BEGIN at line 1");

    try (ScratchSchema schema = new ScratchSchema("zdm_tx", TABLE);
        ServerProbe probe = new ServerProbe()) {
      Connection migration = schema.connection();
      migration.setAutoCommit(false);
      try (Statement s = migration.createStatement()) {
        s.execute("SET search_path = " + schema.quoted());
        s.execute(ADD_NOT_VALID);
        s.execute(VALIDATE);
        assertThat(probe.locksHeldBy(ServerProbe.pid(migration)))
            .containsEntry(schema.name() + ".t", LockMode.ACCESS_EXCLUSIVE);
        assertThat(probe.runsWithoutWaiting("SELECT count(*) FROM " + schema.quoted() + ".t"))
            .as("a reader while the validation's transaction is open").isFalse();
      } finally {
        migration.rollback();
        migration.setAutoCommit(true);
      }
    }
  }

  @Test
  void validationInItsOwnTransactionHoldsOnlyShareUpdateExclusive() throws Exception {
    FileAnalysis file = analyze(dir, "plain/001_check.sql", RECIPE);

    assertThat(file.safe()).isTrue();

    try (ScratchSchema schema = new ScratchSchema("zdm_tx", TABLE);
        ServerProbe probe = new ServerProbe()) {
      Connection migration = schema.connection();
      try (Statement s = migration.createStatement()) {
        s.execute("SET search_path = " + schema.quoted());
        s.execute(ADD_NOT_VALID);
        migration.setAutoCommit(false);
        s.execute(VALIDATE);
        assertThat(probe.locksHeldBy(ServerProbe.pid(migration)))
            .containsEntry(schema.name() + ".t", LockMode.SHARE_UPDATE_EXCLUSIVE);
        assertThat(probe.runsWithoutWaiting("UPDATE " + schema.quoted() + ".t SET b = b WHERE id = 1"))
            .as("a writer during the validation").isTrue();
      } finally {
        migration.rollback();
        migration.setAutoCommit(true);
      }
    }
  }

  @Test
  void flywayAndGolangMigrateFilesAreOneTransactionUnlessTheRunnerIsToldOtherwise()
      throws Exception {
    FileAnalysis flyway = analyze(dir, "flyway/V7__check.sql", RECIPE);
    FileAnalysis golang = analyze(dir, "golang/000007_check.up.sql", RECIPE);
    FileAnalysis prisma = analyze(dir, "prisma/20240101000000_check/migration.sql", RECIPE);
    Files.createDirectories(dir.resolve("optout"));
    Files.writeString(dir.resolve("optout/V7__check.sql.conf"), "executeInTransaction=false\n");
    FileAnalysis optedOut = analyze(dir, "optout/V7__check.sql", RECIPE);

    assertThat(flyway.safe()).isFalse();
    assertThat(statementAt(flyway, 2).reason()).contains("Flyway runs the file in one transaction");
    assertThat(golang.safe()).isFalse();
    assertThat(statementAt(golang, 2).reason()).contains("implicit transaction");
    assertThat(prisma.safe()).isFalse();
    assertThat(optedOut.safe()).isTrue();
  }

  @Test
  void concurrentlyInsideBeginIsAnErrorAsOnTheServer() throws Exception {
    String index = "CREATE INDEX CONCURRENTLY t_b_idx ON t (b)";
    FileAnalysis file = analyze(dir, "plain/002_index.sql", "BEGIN;\n" + index + ";\nCOMMIT;\n");

    assertThat(file.error()).matches(".*002_index\\.sql:2: PostgreSQL refuses CREATE INDEX"
        + " CONCURRENTLY inside a transaction block, and BEGIN at line 1 .*");

    try (ScratchSchema schema = new ScratchSchema("zdm_tx", TABLE)) {
      Connection migration = schema.connection();
      migration.setAutoCommit(false);
      try (Statement s = migration.createStatement()) {
        s.execute("SET search_path = " + schema.quoted());
        assertThatThrownBy(() -> s.execute(index))
            .isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("25001"))
            .hasMessageContaining("cannot run inside a transaction block");
      } finally {
        migration.rollback();
        migration.setAutoCommit(true);
      }
    }
  }

  /**
   * golang-migrate and Prisma send the file as one query string: PostgreSQL runs a multi-statement
   * query as one implicit transaction, so CONCURRENTLY fails there unless it is alone in its file.
   */
  @Test
  void concurrentlyInAMultiStatementGolangMigrateFileIsAnErrorAsOnTheServer() throws Exception {
    String index = "CREATE INDEX CONCURRENTLY t_b_idx ON t (b)";
    String twoStatements = "ALTER TABLE t ADD COLUMN c int;\n" + index + ";\n";
    FileAnalysis mixed = analyze(dir, "golang/000003_index.up.sql", twoStatements);
    FileAnalysis alone = analyze(dir, "golang/000004_index.up.sql", index + ";\n");

    assertThat(mixed.error()).contains("000003_index.up.sql:2: PostgreSQL refuses CREATE INDEX"
        + " CONCURRENTLY inside a transaction block, and golang-migrate sends the file as one"
        + " multi-statement query");
    assertThat(alone.error()).isNull();
    assertThat(alone.safe()).isTrue();

    try (ScratchSchema schema = new ScratchSchema("zdm_tx", TABLE);
        Connection simple = DriverManager.getConnection(
            LockFactsTest.databaseUrl() + "&preferQueryMode=simple");
        Statement s = simple.createStatement()) {
      s.execute("SET search_path = " + schema.quoted());
      assertThatThrownBy(() -> s.execute(twoStatements))
          .hasMessageContaining("cannot run inside a transaction block");
      s.execute(index);
    }
  }

  @Test
  void aDoBlockThatCommitsFailsInsideATransactionAsOnTheServer() throws Exception {
    String block = "DO $$ BEGIN UPDATE t SET b = b WHERE id = 1; COMMIT; END $$";
    FileAnalysis flyway = analyze(dir, "flyway/V8__batches.sql", block + ";\n");
    FileAnalysis plain = analyze(dir, "plain/008_batches.sql", block + ";\n");

    assertThat(flyway.error()).contains("V8__batches.sql:1: a DO block that runs COMMIT fails"
        + " inside a transaction block");
    assertThat(plain.error()).isNull();

    try (ScratchSchema schema = new ScratchSchema("zdm_tx", TABLE)) {
      Connection migration = schema.connection();
      try (Statement s = migration.createStatement()) {
        s.execute("SET search_path = " + schema.quoted());
        s.execute(block);
        migration.setAutoCommit(false);
        assertThatThrownBy(() -> s.execute(block))
            .hasMessageContaining("invalid transaction termination");
      } finally {
        migration.rollback();
        migration.setAutoCommit(true);
      }
    }
  }

  @Test
  void flywayRefusesAFileMixingConcurrentlyWithOtherStatements() throws Exception {
    FileAnalysis mixed = analyze(dir, "flyway/V9__index.sql",
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY t_b_idx ON t (b);\n");
    FileAnalysis alone = analyze(dir, "flyway/V10__index.sql",
        "CREATE INDEX CONCURRENTLY t_b_idx ON t (b);\n");

    assertThat(mixed.error()).contains("V9__index.sql:2: create-index-concurrently cannot run in a"
        + " transaction, and Flyway refuses a migration that mixes it");
    assertThat(alone.safe()).isTrue();
  }
}
