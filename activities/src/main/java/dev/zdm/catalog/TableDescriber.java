package dev.zdm.catalog;

import dev.zdm.catalog.TableDescription.Column;
import dev.zdm.catalog.TableDescription.Constraint;
import dev.zdm.catalog.TableDescription.DependentView;
import dev.zdm.catalog.TableDescription.ExtendedStatistics;
import dev.zdm.catalog.TableDescription.Grant;
import dev.zdm.catalog.TableDescription.IncomingForeignKey;
import dev.zdm.catalog.TableDescription.Index;
import dev.zdm.catalog.TableDescription.Policy;
import dev.zdm.catalog.TableDescription.Publication;
import dev.zdm.catalog.TableDescription.Rule;
import dev.zdm.catalog.TableDescription.Trigger;
import dev.zdm.model.TableRef;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads a table's full {@link TableDescription} from pg_catalog. Run it inside one REPEATABLE READ
 * transaction when the parts must agree with each other; on an autocommit connection each part is
 * its own snapshot.
 */
public final class TableDescriber {
  private final Connection connection;

  public TableDescriber(Connection connection) {
    this.connection = connection;
  }

  /** The description, or empty when there is no table (or partitioned table) of that name. */
  public Optional<TableDescription> describe(TableRef table) throws SQLException {
    String sql =
        """
        SELECT c.oid, c.relkind::text, pg_get_userbyid(c.relowner), obj_description(c.oid, 'pg_class'),
               c.relrowsecurity, c.relforcerowsecurity, coalesce(c.reloptions, '{}'), c.relreplident::text,
               (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                 WHERE i.indrelid = c.oid AND i.indisreplident),
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
               (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.relname) || ' ' || pg_get_expr(c.relpartbound, c.oid)
                  FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent
                  JOIN pg_namespace pn ON pn.oid = p.relnamespace
                 WHERE h.inhrelid = c.oid AND c.relispartition)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')
        """;
    long oid;
    String kind;
    String owner;
    String comment;
    boolean rowSecurity;
    boolean forceRowSecurity;
    List<String> reloptions;
    String replicaIdentity;
    String replicaIdentityIndex;
    String partitionKey;
    String partitionOf;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        oid = row.getLong(1);
        kind = row.getString(2);
        owner = row.getString(3);
        comment = row.getString(4);
        rowSecurity = row.getBoolean(5);
        forceRowSecurity = row.getBoolean(6);
        reloptions = texts(row.getArray(7));
        replicaIdentity = row.getString(8);
        replicaIdentityIndex = row.getString(9);
        partitionKey = row.getString(10);
        partitionOf = row.getString(11);
      }
    }
    return Optional.of(new TableDescription(
        table, kind, owner, comment, columns(oid), indexes(oid), constraints(oid), incomingForeignKeys(oid),
        triggers(oid), rules(oid), rowSecurity, forceRowSecurity, policies(oid), grants(oid), reloptions,
        replicaIdentity, replicaIdentityIndex, publications(oid, table), dependentViews(oid), statistics(oid),
        partitionKey, partitionOf, partitions(oid)));
  }

  private List<Column> columns(long oid) throws SQLException {
    Map<String, List<Grant>> columnGrants = query(
        """
        SELECT a.attname, CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END,
               x.privilege_type, x.is_grantable
          FROM pg_attribute a, aclexplode(a.attacl) x
         WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY 1, 2, 3
        """, oid, row -> new Object[] {row.getString(1), new Grant(row.getString(2), row.getString(3), row.getBoolean(4))})
        .stream().collect(Collectors.groupingBy(pair -> (String) pair[0],
            Collectors.mapping(pair -> (Grant) pair[1], Collectors.toList())));
    return query(
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod),
               CASE WHEN a.attcollation <> t.typcollation
                    THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                           WHERE co.oid = a.attcollation) END,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text, a.attnotnull,
               col_description(a.attrelid, a.attnum), coalesce(a.attstattarget::int, -1),
               (SELECT quote_ident(sn.nspname) || '.' || quote_ident(s.relname)
                  FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
                  JOIN pg_namespace sn ON sn.oid = s.relnamespace
                 WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
                   AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.deptype IN ('a', 'i')
                 LIMIT 1)
          FROM pg_attribute a
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum
        """, oid, row -> new Column(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
            row.getString(5), row.getString(6), row.getBoolean(7), row.getString(8), row.getInt(9),
            row.getString(10), columnGrants.getOrDefault(row.getString(1), List.of())));
  }

  private List<Index> indexes(long oid) throws SQLException {
    return query(
        """
        SELECT ic.relname, pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisprimary, i.indisunique,
               (SELECT con.conname FROM pg_constraint con
                 WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')),
               obj_description(i.indexrelid, 'pg_class'),
               ARRAY(SELECT a.attname FROM pg_attribute a
                      WHERE a.attrelid = i.indrelid AND a.attnum > 0
                        AND (a.attnum = ANY (i.indkey)
                             OR EXISTS (SELECT 1 FROM pg_depend dep
                                         WHERE dep.classid = 'pg_class'::regclass AND dep.objid = i.indexrelid
                                           AND dep.refobjid = i.indrelid AND dep.refobjsubid = a.attnum))
                      ORDER BY a.attnum)
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = ?
         ORDER BY ic.relname
        """, oid, row -> new Index(row.getString(1), row.getString(2), row.getBoolean(3), row.getBoolean(4),
            row.getBoolean(5), row.getString(6), row.getString(7), texts(row.getArray(8))));
  }

  private List<Constraint> constraints(long oid) throws SQLException {
    return query(
        """
        SELECT con.conname, con.contype::text, pg_get_constraintdef(con.oid), con.convalidated,
               con.condeferrable, con.condeferred, obj_description(con.oid, 'pg_constraint'),
               ARRAY(SELECT a.attname FROM pg_attribute a
                      WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey) ORDER BY a.attnum)
          FROM pg_constraint con
         WHERE con.conrelid = ?
         ORDER BY con.conname
        """, oid, row -> new Constraint(row.getString(1), row.getString(2), row.getString(3), row.getBoolean(4),
            row.getBoolean(5), row.getBoolean(6), row.getString(7), texts(row.getArray(8))));
  }

  private List<IncomingForeignKey> incomingForeignKeys(long oid) throws SQLException {
    return query(
        """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), con.conname,
               pg_get_constraintdef(con.oid), con.convalidated,
               ARRAY(SELECT a.attname FROM pg_attribute a
                      WHERE a.attrelid = con.confrelid AND a.attnum = ANY (con.confkey) ORDER BY a.attnum)
          FROM pg_constraint con
          JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE con.contype = 'f' AND con.confrelid = ? AND con.conrelid <> con.confrelid
         ORDER BY 1, 2
        """, oid, row -> new IncomingForeignKey(row.getString(1), row.getString(2), row.getString(3),
            row.getBoolean(4), texts(row.getArray(5))));
  }

  private List<Trigger> triggers(long oid) throws SQLException {
    return query(
        """
        SELECT tgname, pg_get_triggerdef(oid), tgenabled::text
          FROM pg_trigger WHERE tgrelid = ? AND NOT tgisinternal ORDER BY tgname
        """, oid, row -> new Trigger(row.getString(1), row.getString(2), row.getString(3)));
  }

  private List<Rule> rules(long oid) throws SQLException {
    return query(
        """
        SELECT rulename, pg_get_ruledef(oid)
          FROM pg_rewrite WHERE ev_class = ? AND rulename <> '_RETURN' ORDER BY rulename
        """, oid, row -> new Rule(row.getString(1), row.getString(2)));
  }

  private List<Policy> policies(long oid) throws SQLException {
    return query(
        """
        SELECT p.polname, p.polpermissive, p.polcmd::text,
               ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r) END
                       FROM unnest(p.polroles) r ORDER BY 1),
               pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
          FROM pg_policy p WHERE p.polrelid = ? ORDER BY p.polname
        """, oid, row -> new Policy(row.getString(1), row.getBoolean(2), row.getString(3), texts(row.getArray(4)),
            row.getString(5), row.getString(6)));
  }

  private List<Grant> grants(long oid) throws SQLException {
    return query(
        """
        SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END,
               x.privilege_type, x.is_grantable
          FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x
         WHERE c.oid = ?
         ORDER BY 1, 2
        """, oid, row -> new Grant(row.getString(1), row.getString(2), row.getBoolean(3)));
  }

  private List<Publication> publications(long oid, TableRef table) throws SQLException {
    String sql =
        """
        SELECT p.pubname,
               CASE WHEN p.puballtables THEN 'all tables'
                    WHEN EXISTS (SELECT 1 FROM pg_publication_rel r WHERE r.prpubid = p.oid AND r.prrelid = ?)
                    THEN 'table' ELSE 'schema' END
          FROM pg_publication p
         WHERE EXISTS (SELECT 1 FROM pg_publication_tables pt
                        WHERE pt.pubname = p.pubname AND pt.schemaname = ? AND pt.tablename = ?)
         ORDER BY 1
        """;
    List<Publication> publications = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, oid);
      statement.setString(2, table.schema());
      statement.setString(3, table.name());
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          publications.add(new Publication(row.getString(1), row.getString(2)));
        }
      }
    }
    return publications;
  }

  private List<DependentView> dependentViews(long oid) throws SQLException {
    return query(
        """
        SELECT quote_ident(vn.nspname) || '.' || quote_ident(v.relname), v.relkind::text,
               ARRAY(SELECT DISTINCT a.attname FROM pg_depend d2
                       JOIN pg_attribute a ON a.attrelid = d2.refobjid AND a.attnum = d2.refobjsubid
                      WHERE d2.classid = 'pg_rewrite'::regclass AND d2.objid = r.oid AND d2.refobjid = ?
                      ORDER BY 1)
          FROM pg_rewrite r
          JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace
         WHERE r.ev_class <> ?
           AND EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                          AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?)
         ORDER BY 1
        """, new long[] {oid, oid, oid},
        row -> new DependentView(row.getString(1), row.getString(2), texts(row.getArray(3))));
  }

  private List<ExtendedStatistics> statistics(long oid) throws SQLException {
    return query(
        "SELECT stxname, pg_get_statisticsobjdef(oid) FROM pg_statistic_ext WHERE stxrelid = ? ORDER BY stxname",
        oid, row -> new ExtendedStatistics(row.getString(1), row.getString(2)));
  }

  private List<String> partitions(long oid) throws SQLException {
    return query(
        """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
          FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE h.inhparent = ? ORDER BY 1
        """, oid, row -> row.getString(1));
  }

  // Helpers.

  private interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  private <T> List<T> query(String sql, long oid, RowReader<T> reader) throws SQLException {
    return query(sql, new long[] {oid}, reader);
  }

  private <T> List<T> query(String sql, long[] parameters, RowReader<T> reader) throws SQLException {
    List<T> rows = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setLong(i + 1, parameters[i]);
      }
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          rows.add(reader.read(row));
        }
      }
    }
    return rows;
  }

  private static List<String> texts(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    return Arrays.asList((String[]) array.getArray());
  }
}
