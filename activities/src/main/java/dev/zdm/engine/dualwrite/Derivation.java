package dev.zdm.engine.dualwrite;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.analysis.SqlToken;
import dev.zdm.analysis.SqlTokenizer;
import dev.zdm.dualwrite.DualWriteRequest;
import dev.zdm.postgres.Identifiers;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the catalog says of a derived column's expression: whether it is one, and what it reads. */
final class Derivation {
  private static final String PROBE_COLUMN = "_zdm_derivation_probe";

  private final DualWriteRequest request;
  private final String type;

  Derivation(DualWriteRequest request, String type) {
    this.request = request;
    this.type = type;
  }

  /**
   * Refuses an expression that is not a function of the row alone. PostgreSQL judges it: the
   * expression must be accepted as a generated column of a temporary copy of the table's columns
   * (same name, so qualified references resolve), which it refuses for a subquery (another table),
   * a volatile or merely stable function (now(), a lookup, a timezone-dependent cast) and a column
   * that does not exist. A trigger that recomputes such an expression would give a different value
   * for the same row depending on who writes and when, and the verification could never pass.
   * The copy is dropped with the rolled-back transaction; the table itself is not touched.
   */
  void refuseUnlessDeterministic(Connection connection) {
    String copy = Identifiers.quote(request.table().name());
    try {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TEMP TABLE %s (LIKE %s) ON COMMIT DROP"
            .formatted(copy, Identifiers.quote(request.table())));
        statement.execute("ALTER TABLE pg_temp.%s ADD COLUMN %s %s GENERATED ALWAYS AS (%s) STORED"
            .formatted(copy, Identifiers.quote(PROBE_COLUMN), type, request.forward()));
      } catch (SQLException refused) {
        throw ApplicationFailure.newNonRetryableFailure("[" + request.migrationId() + "] derived column "
            + request.table() + "." + request.newColumn() + " refused: " + request.forward()
            + " is not computed from the row alone by immutable functions (PostgreSQL: "
            + refused.getMessage().lines().findFirst().orElse("") + "). A trigger recomputing it would"
            + " store values that depend on who writes and when. Fill the column with a plain batched"
            + " UPDATE and -- @metadata {\"pending\": \"<condition>\"}, or compute it in the application;"
            + " nothing was changed.", ZdmFailures.INVALID_MIGRATION);
      } finally {
        connection.rollback();
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException unreadable) {
      throw ApplicationFailure.newFailure("[" + request.migrationId() + "] cannot check the derivation of "
          + request.newColumn() + ": " + unreadable.getMessage(), "TransientSqlError");
    }
  }

  /**
   * The table's columns the expression names, in table order: the trigger needs to fire only on an
   * UPDATE of one of them. Empty (fire on every UPDATE) when the expression reads the whole row
   * through the table's name, since any column may then change the value.
   */
  List<String> sourceColumns(Connection connection) throws SQLException {
    List<SqlToken> tokens = SqlTokenizer.tokenize(request.forward(), 1);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      SqlToken token = tokens.get(i);
      if (!token.isName()) {
        continue;
      }
      boolean qualifier = i + 1 < tokens.size() && tokens.get(i + 1).type() == SqlToken.Type.DOT;
      if (token.identifier().equals(request.table().name()) && !qualifier) {
        return List.of();
      }
      names.add(token.identifier());
    }
    List<String> sources = new ArrayList<>();
    String sql =
        """
        SELECT attname FROM pg_attribute
         WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped
         ORDER BY attnum
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, Identifiers.quote(request.table()));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String column = rows.getString(1);
          if (names.contains(column) && !column.equals(request.newColumn())) {
            sources.add(column);
          }
        }
      }
    }
    return sources;
  }
}
