package dev.zdm.engine.bluegreen;

import dev.zdm.catalog.TableDescription;
import dev.zdm.catalog.TableDescription.Constraint;
import dev.zdm.catalog.TableDescription.Grant;
import dev.zdm.catalog.TableDescription.Index;
import dev.zdm.catalog.TableDescription.Policy;
import dev.zdm.catalog.TableDescription.Publication;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.StatementRunner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code CREATE TABLE … (LIKE … INCLUDING ALL)} leaves out, carried from the table's
 * {@link TableDescription} to its green copy: owner, grants (the owner's own and column grants),
 * reloptions, replica identity and statistics targets when green is created, so the application's
 * writes reach it through the sync trigger with the application's own rights; NOT VALID
 * constraints, row-level security and policies, and publication membership at the switch, so the
 * copy is not refused for legacy rows, zdm's copy and checks see every row, and subscribers never
 * see two tables.
 */
final class GreenCarryOver {
  private static final Set<String> PRIVILEGES =
      Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN");
  private static final Pattern OPTION = Pattern.compile("([a-z_][a-z0-9_.]*)=(.*)", Pattern.DOTALL);

  private GreenCarryOver() {}

  /** Why zdm, as the role it runs as, cannot carry the table over; empty when it can. */
  static List<String> refusals(Connection connection, TableDescription table) throws SQLException {
    List<String> refusals = new ArrayList<>();
    if (!yes(connection, "SELECT pg_has_role(current_user, ?, 'MEMBER')", table.owner())) {
      refusals.add("the green copy must belong to " + table.owner() + ", the table's owner, and zdm's role is"
          + " not a member of it: GRANT " + table.owner() + " TO the role zdm runs as, or run zdm as "
          + table.owner());
    } else if (!yes(connection, "SELECT rolsuper OR has_schema_privilege(?, ?, 'CREATE') FROM pg_roles"
        + " WHERE rolname = current_user", table.owner(), table.table().schema())) {
      refusals.add(table.owner() + " has no CREATE privilege on schema " + table.table().schema()
          + ", which owning the green copy needs");
    }
    for (Publication publication : table.publications()) {
      if (!"table".equals(publication.membership())) {
        continue; // schema-wide and all-tables publications take the green copy in by themselves
      }
      if (!yes(connection, "SELECT pg_has_role(current_user, pubowner, 'MEMBER') FROM pg_publication"
          + " WHERE pubname = ?", publication.name())) {
        refusals.add(table.table() + " is in publication " + publication.name() + ", which zdm's role does not"
            + " own: the switch must move the membership to the new table");
      }
      if (yes(connection, "SELECT r.prqual IS NOT NULL OR r.prattrs IS NOT NULL FROM pg_publication_rel r"
          + " JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = ? AND r.prrelid = to_regclass(?)",
          publication.name(), Identifiers.quote(table.table()))) {
        refusals.add(table.table() + " is in publication " + publication.name() + " with a row filter or column"
            + " list, which blue-green does not carry over yet");
      }
    }
    return refusals;
  }

  /** Right after green is created from the table, before any row or trigger reaches it. */
  static void atCreate(Connection connection, TableDescription table, TableRef green) throws SQLException {
    String target = Identifiers.quote(green);
    List<String> statements = new ArrayList<>();
    statements.add("ALTER TABLE %s OWNER TO %s".formatted(target, Identifiers.quote(table.owner())));
    // The table's privileges exactly, the owner's own included (a never-granted table shows its
    // owner's defaults, which this makes explicit: the same rights).
    statements.add("REVOKE ALL ON %s FROM PUBLIC, %s".formatted(target, Identifiers.quote(table.owner())));
    for (Grant grant : table.grants()) {
      statements.add("GRANT %s ON %s TO %s%s".formatted(privilege(grant), target, grantee(grant.grantee()),
          grant.grantable() ? " WITH GRANT OPTION" : ""));
    }
    for (TableDescription.Column column : table.columns()) {
      for (Grant grant : column.grants()) {
        statements.add("GRANT %s (%s) ON %s TO %s%s".formatted(privilege(grant), Identifiers.quote(column.name()),
            target, grantee(grant.grantee()), grant.grantable() ? " WITH GRANT OPTION" : ""));
      }
      if (column.statisticsTarget() >= 0) {
        statements.add("ALTER TABLE %s ALTER COLUMN %s SET STATISTICS %d".formatted(target,
            Identifiers.quote(column.name()), column.statisticsTarget()));
      }
    }
    if (!table.reloptions().isEmpty()) {
      statements.add("ALTER TABLE %s SET (%s)".formatted(target,
          table.reloptions().stream().map(GreenCarryOver::option).collect(Collectors.joining(", "))));
    }
    // LIKE copies a NOT VALID check as valid: the copy of a legacy row that violates it would fail.
    for (Constraint check : notValid(table, "c")) {
      statements.add("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s".formatted(target, Identifiers.quote(check.name())));
    }
    StatementRunner.executeAll(connection, statements.toArray(String[]::new));
    replicaIdentity(connection, table, green);
  }

  /**
   * In the switch's transaction, with both tables locked, before the renames: what would have
   * refused the copy or hidden rows from zdm's copy and verification.
   */
  static void atSwitch(Connection connection, TableDescription table, TableRef green) throws SQLException {
    String target = Identifiers.quote(green);
    List<String> statements = new ArrayList<>();
    for (Constraint constraint : table.constraints()) {
      if (!constraint.validated() && ("c".equals(constraint.type()) || "f".equals(constraint.type()))) {
        // The definition is PostgreSQL's own rendering and ends in NOT VALID.
        statements.add("ALTER TABLE %s ADD CONSTRAINT %s %s".formatted(target, Identifiers.quote(constraint.name()),
            constraint.definition()));
      }
    }
    if (table.rowSecurity()) {
      statements.add("ALTER TABLE %s ENABLE ROW LEVEL SECURITY".formatted(target));
    }
    if (table.forceRowSecurity()) {
      statements.add("ALTER TABLE %s FORCE ROW LEVEL SECURITY".formatted(target));
    }
    for (Policy policy : table.policies()) {
      statements.add("CREATE POLICY %s ON %s AS %s FOR %s TO %s%s%s".formatted(Identifiers.quote(policy.name()), target,
          policy.permissive() ? "PERMISSIVE" : "RESTRICTIVE", policy.commandKeyword(),
          policy.roles().stream().map(GreenCarryOver::grantee).collect(Collectors.joining(", ")),
          policy.using() == null ? "" : " USING (" + policy.using() + ")",
          policy.withCheck() == null ? "" : " WITH CHECK (" + policy.withCheck() + ")"));
    }
    statements.addAll(movePublications(table, table.table(), green));
    StatementRunner.executeAll(connection, statements.toArray(String[]::new));
  }

  /** Publication memberships by name move from one table to the other (the switch, and its revert). */
  static List<String> movePublications(TableDescription table, TableRef from, TableRef to) {
    List<String> statements = new ArrayList<>();
    for (Publication publication : table.publications()) {
      if ("table".equals(publication.membership())) {
        statements.add("ALTER PUBLICATION %s ADD TABLE ONLY %s".formatted(Identifiers.quote(publication.name()),
            Identifiers.quote(to)));
        statements.add("ALTER PUBLICATION %s DROP TABLE ONLY %s".formatted(Identifiers.quote(publication.name()),
            Identifiers.quote(from)));
      }
    }
    return statements;
  }

  private static void replicaIdentity(Connection connection, TableDescription table, TableRef green)
      throws SQLException {
    String target = Identifiers.quote(green);
    switch (table.replicaIdentity()) {
      case "f" -> StatementRunner.executeAll(connection, "ALTER TABLE %s REPLICA IDENTITY FULL".formatted(target));
      case "n" -> StatementRunner.executeAll(connection, "ALTER TABLE %s REPLICA IDENTITY NOTHING".formatted(target));
      case "i" -> {
        Index original = table.indexes().stream().filter(i -> i.name().equals(table.replicaIdentityIndex()))
            .findFirst().orElseThrow();
        String index = greenIndexLike(connection, original, green)
            .orElseThrow(() -> new SQLException("the green copy has no index like " + original.name()
                + ", the table's replica identity", "42704"));
        StatementRunner.executeAll(connection, "ALTER TABLE %s REPLICA IDENTITY USING INDEX %s"
            .formatted(target, Identifiers.quote(index)));
      }
      default -> { } // 'd': the primary key, as LIKE left it
    }
  }

  /** The green index LIKE made from {@code original}: the same definition after the index and table names. */
  private static Optional<String> greenIndexLike(Connection connection, Index original, TableRef green)
      throws SQLException {
    String shape = original.definition().substring(original.definition().indexOf(" USING "));
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            + " WHERE i.indrelid = to_regclass(?) ORDER BY c.relname")) {
      statement.setString(1, Identifiers.quote(green));
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          String definition = row.getString(2);
          if (definition.substring(definition.indexOf(" USING ")).equals(shape)) {
            return Optional.of(row.getString(1));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static List<Constraint> notValid(TableDescription table, String type) {
    return table.constraints().stream().filter(c -> !c.validated() && type.equals(c.type())).toList();
  }

  private static String privilege(Grant grant) {
    if (!PRIVILEGES.contains(grant.privilege())) {
      throw new IllegalArgumentException("unknown privilege " + grant.privilege());
    }
    return grant.privilege();
  }

  private static String grantee(String role) {
    return "PUBLIC".equals(role) ? "PUBLIC" : Identifiers.quote(role);
  }

  private static String option(String reloption) {
    var match = OPTION.matcher(reloption);
    if (!match.matches()) {
      throw new IllegalArgumentException("unreadable table option " + reloption);
    }
    return match.group(1) + " = " + Identifiers.literal(match.group(2));
  }

  private static boolean yes(Connection connection, String sql, String... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      try (ResultSet row = statement.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }
}
