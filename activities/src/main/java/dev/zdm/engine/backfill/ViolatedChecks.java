package dev.zdm.engine.backfill;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The table's NOT VALID CHECK constraints that existing rows violate. PostgreSQL checks every
 * CHECK of the table on the new version of an updated row, NOT VALID ones too, so a batched UPDATE
 * that reaches such a row fails, whatever column it sets: found before anything changes, each
 * named with how many rows (counted up to {@link #COUNT_LIMIT}) break it, or, for an UPDATE whose
 * SET may fix them, tried on those rows and rolled back.
 */
public final class ViolatedChecks {
  static final int COUNT_LIMIT = 1000;

  private ViolatedChecks() {}

  /** One line per violated check: {@code "CHECK <name> (<expression>): <n> rows violate it"}. */
  public static List<String> of(Connection connection, TableRef table) throws SQLException {
    List<String> violated = new ArrayList<>();
    for (String[] check : notValid(connection, table)) {
      // IS FALSE: a CHECK passes when its expression is NULL.
      String count = """
          SELECT count(*) FROM (SELECT 1 FROM %s WHERE (%s) IS FALSE LIMIT %d) violating
          """.formatted(Identifiers.quote(table), check[1], COUNT_LIMIT);
      try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(count)) {
        rows.next();
        long n = rows.getLong(1);
        if (n > 0) {
          violated.add("CHECK " + check[0] + " (" + check[1] + "): " + (n >= COUNT_LIMIT ? "at least " : "")
              + n + " row" + (n == 1 ? "" : "s") + " violate it");
        }
      }
    }
    return violated;
  }

  /**
   * What PostgreSQL says when the batched {@code UPDATE t SET <set>} reaches the rows matching
   * {@code <pending>} that break a NOT VALID check, tried on (up to {@link #COUNT_LIMIT} of) those
   * rows alone and rolled back; empty when the SET leaves them passing (a fix-up of legacy rows) or
   * none breaks one. Runs in the connection's transaction, which the caller rolls back.
   */
  static Optional<String> updateFailure(Connection connection, TableRef table, String set, String pending)
      throws SQLException {
    List<String[]> checks = notValid(connection, table);
    if (checks.isEmpty()) {
      return Optional.empty();
    }
    String broken = String.join(" OR ", checks.stream().map(c -> "(" + c[1] + ") IS FALSE").toList());
    String update = """
        UPDATE %s SET %s
         WHERE ctid = ANY (ARRAY(SELECT ctid FROM %s WHERE (%s) AND (%s) LIMIT %d))
        """.formatted(Identifiers.quote(table), set, Identifiers.quote(table), pending, broken, COUNT_LIMIT);
    try (Statement statement = connection.createStatement()) {
      statement.execute(update);
      return Optional.empty();
    } catch (SQLException e) {
      if ("23514".equals(e.getSQLState())) {
        return Optional.of(e.getMessage().lines().findFirst().orElse(e.getMessage()));
      }
      throw e;
    }
  }

  private static List<String[]> notValid(Connection connection, TableRef table) throws SQLException {
    List<String[]> checks = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement("""
        SELECT conname, pg_get_expr(conbin, conrelid)
        FROM pg_constraint
        WHERE conrelid = ?::regclass AND contype = 'c' AND NOT convalidated
          AND conname NOT LIKE '\\_zdm\\_%'
        ORDER BY conname
        """)) {
      statement.setString(1, Identifiers.quote(table));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          checks.add(new String[] {rows.getString(1), rows.getString(2)});
        }
      }
    }
    return checks;
  }
}
