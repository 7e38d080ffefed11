package dev.zdm.doctor;

import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Row-level security on the named table that applies to zdm's role. zdm runs every statement
 * with {@code row_security = off}, so instead of silently copying, backfilling or verifying only
 * the rows its policies show, PostgreSQL refuses those statements and the migration fails. This
 * says so before a migration starts. PostgreSQL's rule: RLS applies unless the role is a
 * superuser or has BYPASSRLS, or has its owner's privileges and the table is not FORCEd.
 */
final class RowSecurityCheck implements PostgresCheck {
  static final String NAME = "row-level-security";

  private static final String SQL =
      """
      SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity,
             pg_get_userbyid(c.relowner), pg_has_role(c.relowner, 'USAGE'),
             r.rolsuper, r.rolbypassrls, current_user,
             (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_roles r ON r.rolname = current_user
       WHERE c.oid = to_regclass(?)
      """;

  /** As given on the command line ({@code schema.table}, or a name found on the search path). */
  private final String table;

  RowSecurityCheck(String table) {
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
          // table-privileges reports the missing table; one problem, not two.
          return DoctorCheck.notChecked(NAME, "No table " + table + " in this database.");
        }
        return judge(row);
      }
    }
  }

  private static DoctorCheck judge(ResultSet row) throws SQLException {
    String qualified = Identifiers.quote(row.getString(1)) + "." + Identifiers.quote(row.getString(2));
    boolean enabled = row.getBoolean(3);
    boolean forced = row.getBoolean(4);
    String owner = row.getString(5);
    boolean ownerPrivileges = row.getBoolean(6);
    boolean superuser = row.getBoolean(7);
    boolean bypass = row.getBoolean(8);
    String role = row.getString(9);
    long policies = row.getLong(10);
    String policyCount = policies + (policies == 1 ? " policy" : " policies");
    if (!enabled) {
      return DoctorCheck.ok(NAME, "Row-level security is off on " + qualified + ".");
    }
    if (superuser || bypass) {
      return DoctorCheck.ok(NAME, "Row-level security is on for " + qualified + " (" + policyCount + "), but role "
          + role + " bypasses it (" + (superuser ? "superuser" : "BYPASSRLS") + ").");
    }
    String refused = "; zdm runs with row_security = off, so PostgreSQL would refuse its copy, backfill and checks"
        + " of the table (\"query would be affected by row-level security policy\") and the migration would fail.";
    if (ownerPrivileges && !forced) {
      return DoctorCheck.ok(NAME, "Row-level security is on for " + qualified + " (" + policyCount + "), not forced,"
          + " and role " + role + " has its owner's privileges (owner " + owner + "): owners see every row.");
    }
    if (ownerPrivileges) {
      return DoctorCheck.problem(NAME,
          qualified + " has FORCE ROW LEVEL SECURITY: its row-level security (" + policyCount
              + ") applies to its owner " + owner + " and to role " + role + refused,
          "ALTER TABLE " + qualified + " NO FORCE ROW LEVEL SECURITY; for the migration, or as a superuser: ALTER ROLE "
              + Identifiers.quote(role) + " BYPASSRLS;");
    }
    return DoctorCheck.problem(NAME,
        "Row-level security is on for " + qualified + " (" + policyCount + ") and role " + role
            + " neither owns it (owner " + owner + ") nor has BYPASSRLS: the policies apply to it" + refused,
        "As a superuser: ALTER ROLE " + Identifiers.quote(role) + " BYPASSRLS; (or run zdm as " + owner
            + ", which table-privileges asks for anyway)");
  }
}
