package dev.zdm.engine.featureflag;

import dev.zdm.featureflag.GuardCheck;
import dev.zdm.featureflag.GuardResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Runs a guard in a READ ONLY transaction with a statement timeout, always rolled back: a guard
 * that tries to write is refused by the server, and one that hangs is cut off.
 */
public final class GuardRunner {
  private final DataSource dataSource;

  public GuardRunner(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public GuardResult run(GuardCheck check) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET TRANSACTION READ ONLY");
        statement.execute("SET LOCAL statement_timeout = " + check.statementTimeout().toMillis());
        try (ResultSet result = statement.executeQuery(check.sql())) {
          return answer(result);
        }
      } finally {
        connection.rollback();
      }
    } catch (SQLException e) {
      return GuardResult.failed(e.getMessage());
    }
  }

  private static GuardResult answer(ResultSet result) throws SQLException {
    if (result.getMetaData().getColumnCount() != 1) {
      return GuardResult.failed("it returned " + result.getMetaData().getColumnCount()
          + " columns, not one boolean");
    }
    if (!result.next()) {
      return GuardResult.failed("it returned no row");
    }
    boolean value = result.getBoolean(1);
    if (result.wasNull()) {
      return GuardResult.failed("it returned NULL");
    }
    if (result.next()) {
      return GuardResult.failed("it returned more than one row");
    }
    return GuardResult.of(value);
  }
}
