package dev.zdm.engine.droptable;

import dev.zdm.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What would stop a plain {@code DROP TABLE}: views and materialised views that read the table and
 * foreign keys of other tables that point at it. zdm never drops with CASCADE; these are named so
 * the file can drop them first.
 */
public final class TableDependents {
  private TableDependents() {}

  /**
   * One object that depends on the table.
   *
   * @param constraint the foreign key's name; null for a view
   */
  public record Dependent(String kind, TableRef relation, String constraint) {
    /** How the file names it when it drops it: the view, or {@code table.constraint}. */
    public String key() {
      return constraint == null ? relation.displayName() : relation.displayName() + "." + constraint;
    }

    public String describe() {
      return constraint == null ? kind + " " + relation.displayName()
          : kind + " " + constraint + " of " + relation.displayName();
    }
  }

  /** By OID, so a table that was renamed or moved is still found. */
  public static List<Dependent> of(Connection connection, long tableOid) throws SQLException {
    String sql =
        """
        SELECT DISTINCT CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END,
               vn.nspname, v.relname, NULL::text
          FROM pg_depend d
          JOIN pg_rewrite r ON r.oid = d.objid AND d.classid = 'pg_rewrite'::regclass
          JOIN pg_class v ON v.oid = r.ev_class
          JOIN pg_namespace vn ON vn.oid = v.relnamespace
         WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ? AND v.oid <> ?
        UNION ALL
        SELECT 'foreign key', cn.nspname, c.relname, k.conname
          FROM pg_constraint k
          JOIN pg_class c ON c.oid = k.conrelid
          JOIN pg_namespace cn ON cn.oid = c.relnamespace
         WHERE k.contype = 'f' AND k.confrelid = ? AND k.conrelid <> ?
         ORDER BY 1, 2, 3, 4
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 1; i <= 4; i++) {
        statement.setLong(i, tableOid);
      }
      List<Dependent> dependents = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          dependents.add(new Dependent(rows.getString(1), new TableRef(rows.getString(2), rows.getString(3)),
              rows.getString(4)));
        }
      }
      return dependents;
    }
  }
}
