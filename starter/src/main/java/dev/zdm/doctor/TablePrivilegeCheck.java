package dev.zdm.doctor;

import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The role may change the named table as zdm does: ALTER TABLE needs ownership (or membership in
 * the owning role), and the strategies create archives, shadow tables and trigger functions
 * beside it (CREATE on its schema).
 */
final class TablePrivilegeCheck implements PostgresCheck {
  static final String NAME = "table-privileges";

  private static final String SQL =
      """
      SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner), pg_has_role(c.relowner, 'USAGE'),
             has_schema_privilege(n.oid, 'CREATE'), current_user
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.oid = to_regclass(?)
      """;

  /** As given on the command line ({@code schema.table}, or a name found on the search path). */
  private final String table;

  TablePrivilegeCheck(String table) {
    this.table = table;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DoctorCheck run(Connection connection) throws SQLException {
    if (table == null) {
      return DoctorCheck.notChecked(NAME, "No table named (--table SCHEMA.TABLE checks the one a migration changes).");
    }
    try (PreparedStatement statement = connection.prepareStatement(SQL)) {
      statement.setString(1, table);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return DoctorCheck.problem(NAME, "No table " + table + " in this database.",
              "Name it as SCHEMA.TABLE (--table), as the migration file does.");
        }
        String qualified = Identifiers.quote(row.getString(1)) + "." + Identifiers.quote(row.getString(2));
        String owner = row.getString(3);
        String role = row.getString(6);
        if (!row.getBoolean(4)) {
          return DoctorCheck.problem(NAME,
              "Role " + role + " does not own " + qualified + " (owner " + owner + "): ALTER TABLE would be refused.",
              "GRANT " + Identifiers.quote(owner) + " TO " + Identifiers.quote(role) + "; (or run zdm as " + owner + ")");
        }
        if (!row.getBoolean(5)) {
          return DoctorCheck.problem(NAME,
              "Role " + role + " lacks CREATE on schema " + Identifiers.quote(row.getString(1))
                  + ": archives, shadow tables and trigger functions could not be made beside " + qualified + ".",
              "GRANT CREATE ON SCHEMA " + Identifiers.quote(row.getString(1)) + " TO " + Identifiers.quote(role) + ";");
        }
        return DoctorCheck.ok(NAME, "Role " + role + " may alter " + qualified + " (owner " + owner
            + ") and create beside it.");
      }
    }
  }
}
