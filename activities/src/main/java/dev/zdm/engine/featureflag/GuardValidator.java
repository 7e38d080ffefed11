package dev.zdm.engine.featureflag;

import dev.zdm.error.ZdmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Checks a guard before a rollout starts: one SELECT (read by JSqlParser) that the server can
 * prepare and whose one result column is boolean (described by the server, nothing executed).
 */
public final class GuardValidator {

  public void validate(Connection connection, List<String> guards) {
    for (String guard : guards) {
      validate(connection, guard);
    }
  }

  private void validate(Connection connection, String guard) {
    Statements statements;
    try {
      statements = CCJSqlParserUtil.parseStatements(guard);
    } catch (JSQLParserException e) {
      throw ZdmException.badInput("guard `" + guard + "` is not SQL zdm can read: "
          + firstLine(e.getMessage()));
    }
    if (statements.size() != 1 || !(statements.get(0) instanceof Select)) {
      throw ZdmException.badInput("guard `" + guard + "` must be a single SELECT returning one"
          + " boolean column");
    }
    try (PreparedStatement prepared = connection.prepareStatement(guard)) {
      ResultSetMetaData columns = prepared.getMetaData();
      if (columns == null || columns.getColumnCount() != 1) {
        throw ZdmException.badInput("guard `" + guard + "` must return one boolean column, it returns "
            + (columns == null ? 0 : columns.getColumnCount()));
      }
      int type = columns.getColumnType(1);
      if (type != Types.BOOLEAN && type != Types.BIT) {
        throw ZdmException.badInput("guard `" + guard + "` must return a boolean, its column "
            + columns.getColumnLabel(1) + " is " + columns.getColumnTypeName(1));
      }
    } catch (SQLException e) {
      throw ZdmException.badInput("guard `" + guard + "` does not run on the database: "
          + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
