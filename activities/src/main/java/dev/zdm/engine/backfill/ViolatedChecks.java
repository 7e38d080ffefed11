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

/**
 * The table's NOT VALID CHECK constraints that existing rows violate. PostgreSQL checks every
 * CHECK of the table on the new version of an updated row, NOT VALID ones too, so a batched UPDATE
 * that reaches such a row fails, whatever column it sets: found before anything changes, each
 * named with how many rows (counted up to {@link #COUNT_LIMIT}) break it.
 */
public final class ViolatedChecks {
  static final int COUNT_LIMIT = 1000;

  private ViolatedChecks() {}

  /** One line per violated check: {@code "CHECK <name> (<expression>): <n> rows violate it"}. */
  public static List<String> of(Connection connection, TableRef table) throws SQLException {
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
    List<String> violated = new ArrayList<>();
    for (String[] check : checks) {
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
}
