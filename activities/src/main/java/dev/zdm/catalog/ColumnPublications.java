package dev.zdm.catalog;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The publications whose column list or row filter names a column. PostgreSQL will not drop such
 * a column (the publication depends on it), and only the publication's owner may change the list:
 * a strategy that drops the column refuses it before anything changes.
 */
public final class ColumnPublications {
  private ColumnPublications() {}

  public static List<String> naming(Connection connection, TableRef table, String column) throws SQLException {
    List<String> publications = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement("""
        SELECT DISTINCT p.pubname
          FROM pg_depend d
          JOIN pg_publication_rel r ON d.classid = 'pg_publication_rel'::regclass AND d.objid = r.oid
          JOIN pg_publication p ON p.oid = r.prpubid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ?::regclass AND a.attname = ?
         ORDER BY 1
        """)) {
      statement.setString(1, Identifiers.quote(table));
      statement.setString(2, column);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          publications.add(rows.getString(1));
        }
      }
    }
    return publications;
  }
}
