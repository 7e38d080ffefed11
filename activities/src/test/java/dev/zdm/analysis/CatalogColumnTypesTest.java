package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.postgres.Identifiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With a database, a single migration's ALTER COLUMN TYPE is judged against the column's type in
 * the catalog, and the verdict matches what the server does (pg_relation_filenode changes only
 * when the table is rewritten).
 */
class CatalogColumnTypesTest {
  private static final String SETUP = """
      CREATE TABLE %1$s.accounts (
        id integer PRIMARY KEY,
        name varchar(20),
        note text,
        balance numeric(10,2),
        created timestamp(3),
        code char(4));
      INSERT INTO %1$s.accounts
      SELECT g, 'n' || g, 'x', g, now(), 'abcd' FROM generate_series(1, 100) g;
      """;

  private ScratchSchema scratch;
  private Connection connection;

  @BeforeEach
  void createSchema() throws SQLException {
    scratch = new ScratchSchema("zdm_types", SETUP);
    connection = scratch.connection();
  }

  @AfterEach
  void dropSchema() throws SQLException {
    scratch.close();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "name    | varchar(50)   | false",
      "name    | text          | false",
      "name    | varchar(10)   | true",
      "note    | varchar       | false",
      "balance | numeric(12,2) | false",
      "balance | numeric(12,4) | true",
      "id      | bigint        | true",
      "created | timestamp(3)  | false",
      "code    | varchar(4)    | true"})
  void typeChangeIsJudgedFromTheCatalogAndAgreesWithTheServer(
      String column, String newType, boolean rewrite) throws Exception {
    String sql = "ALTER TABLE " + scratch.quoted() + ".accounts ALTER COLUMN "
        + Identifiers.quote(column) + " TYPE " + newType + ";\n";
    Path file = Files.createTempFile("zdm-catalog-types", ".sql");
    try {
      Files.writeString(file, sql);
      StatementAnalysis analysis = new MigrationAnalyzer(null, new CatalogColumnTypes(connection))
          .analyze(List.of(file.toString())).files().get(0).statements().get(0);

      assertThat(analysis.rewrite()).as("rewrite predicted for %s", sql).isEqualTo(rewrite);
      assertThat(analysis.safe()).as("safe for %s", sql).isEqualTo(!rewrite);
      long before = filenode();
      try (Statement s = connection.createStatement()) {
        s.execute(sql);
      }
      assertThat(filenode() != before).as("rewrite observed for %s", sql).isEqualTo(rewrite);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private long filenode() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery("SELECT pg_relation_filenode('"
            + scratch.quoted() + ".accounts'::regclass)")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
