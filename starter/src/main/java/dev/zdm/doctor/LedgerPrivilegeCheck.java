package dev.zdm.doctor;

import dev.zdm.postgres.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The role can install the ledger (CREATE on its schema, or on the database when the schema is
 * not there yet) and read and write the ledger's tables once installed.
 */
final class LedgerPrivilegeCheck implements PostgresCheck {
  static final String NAME = "ledger-privileges";

  private static final String SCHEMA_SQL =
      """
      SELECT n.oid IS NOT NULL,
             COALESCE(has_schema_privilege(n.oid, 'USAGE'), false),
             COALESCE(has_schema_privilege(n.oid, 'CREATE'), false),
             has_database_privilege(current_database(), 'CREATE'),
             current_user
        FROM (SELECT ?::name AS name) wanted
        LEFT JOIN pg_namespace n ON n.nspname = wanted.name
      """;

  /** Ledger tables the role cannot use as zdm does (it reads, adds, updates and deletes rows). */
  private static final String TABLE_SQL =
      """
      SELECT c.relname || ': ' || p.privilege
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p(privilege)
       WHERE n.nspname = ?
         AND c.relkind = 'r'
         AND c.relname IN ('_zdm_ledger_version', '_migration_deprecations', '_migration_progress',
                           '_migration_control', '_migration_feature_flags', '_migration_circuit_breakers',
                           '_migration_table_claims')
         AND NOT has_table_privilege(c.oid, p.privilege)
       ORDER BY 1
      """;

  private final String schema;

  LedgerPrivilegeCheck(String schema) {
    this.schema = schema;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public DoctorCheck run(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(SCHEMA_SQL)) {
      statement.setString(1, schema);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        String role = row.getString(5);
        if (!row.getBoolean(1)) {
          return row.getBoolean(4)
              ? DoctorCheck.ok(NAME, "Ledger schema " + schema + " does not exist yet; role " + role
                  + " may create it (a worker or `zdm bootstrap` does).")
              : DoctorCheck.problem(NAME, "Ledger schema " + schema + " does not exist and role " + role
                  + " may not create it (no CREATE on the database).",
                  "CREATE SCHEMA " + Identifiers.quote(schema) + " AUTHORIZATION " + Identifiers.quote(role) + "; or name an existing one with ZDM_LEDGER_SCHEMA.");
        }
        if (!row.getBoolean(2) || !row.getBoolean(3)) {
          return DoctorCheck.problem(NAME, "Role " + role + " lacks " + missing(row.getBoolean(2), row.getBoolean(3))
                  + " on ledger schema " + schema + ".",
              "GRANT USAGE, CREATE ON SCHEMA " + Identifiers.quote(schema) + " TO " + Identifiers.quote(role) + ";");
        }
        List<String> tables = deniedTables(connection);
        if (!tables.isEmpty()) {
          return DoctorCheck.problem(NAME, "Role " + role + " may not use ledger tables in " + schema + ": "
                  + String.join(", ", tables) + ".",
              "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + Identifiers.quote(schema) + " TO "
                  + Identifiers.quote(role) + ";");
        }
        return DoctorCheck.ok(NAME, "Role " + role + " may use ledger schema " + schema + " (USAGE, CREATE, its tables).");
      }
    }
  }

  private static String missing(boolean usage, boolean create) {
    return !usage && !create ? "USAGE and CREATE" : !usage ? "USAGE" : "CREATE";
  }

  private List<String> deniedTables(Connection connection) throws SQLException {
    List<String> denied = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(TABLE_SQL)) {
      statement.setString(1, schema);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          denied.add(rows.getString(1));
        }
      }
    }
    return denied;
  }
}
