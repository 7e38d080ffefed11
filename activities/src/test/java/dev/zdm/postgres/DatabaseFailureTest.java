package dev.zdm.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Only a PostgreSQL that cannot be reached is "unreachable" (exit 3): a refused login or a missing
 * privilege is refused (exit 1) with what to grant, and an unknown database is bad input (exit 2).
 */
class DatabaseFailureTest {
  private TestDatabase db;
  private String reader;

  @BeforeEach
  void setUp() throws SQLException {
    db = TestDatabase.create("db_failure");
    reader = db.schema() + "_reader";
    db.sql("CREATE ROLE " + reader + " LOGIN", "CREATE TABLE owned (id int)");
  }

  @AfterEach
  void tearDown() throws SQLException {
    db.close();
    try (Connection admin = DriverManager.getConnection(TestDatabase.url());
        Statement statement = admin.createStatement()) {
      statement.execute("DROP ROLE IF EXISTS " + reader);
    }
  }

  /** The test server's URL, logging in as {@code role}. */
  private static String as(String role) {
    String url = TestDatabase.url();
    return url.contains("user=")
        ? url.replaceAll("user=[^&]*", "user=" + role)
        : url + (url.contains("?") ? "&" : "?") + "user=" + role;
  }

  @Test
  void aMissingPrivilegeIsRefusedNotUnreachable() throws SQLException {
    DatabaseConfig config = DatabaseConfig.of(as(reader));
    try (Connection connection = DriverManager.getConnection(config.jdbcUrl());
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.execute(
          "ALTER TABLE \"" + db.schema() + "\".owned ADD COLUMN x int"))
          .isInstanceOfSatisfying(SQLException.class, refused -> {
            ZdmException failure = Database.failure(config, refused);
            assertThat(failure.code()).isEqualTo(ErrorCode.REFUSED);
            assertThat(failure.getMessage()).contains("refused");
            assertThat(failure.code().exitCode()).isEqualTo(1);
          });
    }
  }

  @Test
  void aLoginPostgresqlRefusesIsRefusedAndAnUnknownDatabaseIsBadInput() {
    DatabaseConfig noSuchRole = DatabaseConfig.of(as(db.schema() + "_nobody"));
    assertThatThrownBy(() -> Database.open(noSuchRole, "zdm-test", 1))
        .isInstanceOfSatisfying(ZdmException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.REFUSED);
          assertThat(failure.getMessage()).contains("refused the login");
        });

    DatabaseConfig noSuchDatabase = DatabaseConfig.of(
        TestDatabase.url().replaceFirst("(//[^/]+/)[^?]+", "$1zdm_no_such_database"));
    assertThatThrownBy(() -> Database.open(noSuchDatabase, "zdm-test", 1))
        .isInstanceOfSatisfying(ZdmException.class, failure ->
            assertThat(failure.code()).isEqualTo(ErrorCode.BAD_INPUT));
  }
}
