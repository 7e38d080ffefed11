package dev.zdm.engine.dualwrite;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.StatementRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The carried objects take their original names, in the cut-over's transaction, right after the
 * old column (and the originals with it) was dropped: the application never sees the table
 * without them. Renames and {@code ADD CONSTRAINT ... USING INDEX} only: no scan, no build.
 */
final class CarriedSwap {
  private final TableRef table;

  CarriedSwap(TableRef table) {
    this.table = table;
  }

  /** @param replicaIdentityIndex the table's replica identity index before the cut-over, or null */
  void swapIn(Connection connection, List<CarriedObject> carried, String replicaIdentityIndex) throws SQLException {
    String t = Identifiers.quote(table);
    for (CarriedObject object : carried) {
      String original = Identifiers.quote(object.original());
      if (object instanceof CarriedObject.Index index) {
        StatementRunner.executeAll(connection,
            "ALTER INDEX %s RENAME TO %s".formatted(index(index.temporary()), original),
            "COMMENT ON INDEX %s IS %s".formatted(index(index.original()), comment(index.comment())));
      } else if (object instanceof CarriedObject.Unique unique) {
        StatementRunner.executeAll(connection,
            "ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s%s".formatted(
                t, original, Identifiers.quote(unique.temporary()), unique.deferral()),
            "COMMENT ON CONSTRAINT %s ON %s IS %s".formatted(original, t, comment(unique.comment())),
            "COMMENT ON INDEX %s IS %s".formatted(index(unique.original()), comment(unique.index().comment())));
      } else if (object instanceof CarriedObject.Constraint constraint) {
        StatementRunner.executeAll(connection,
            "ALTER TABLE %s RENAME CONSTRAINT %s TO %s".formatted(t, Identifiers.quote(constraint.temporary()), original),
            "COMMENT ON CONSTRAINT %s ON %s IS %s".formatted(original, t, comment(constraint.comment())));
      }
      if (object.original().equals(replicaIdentityIndex)) {
        // Dropping the old column reset the replica identity to DEFAULT along with its index.
        StatementRunner.executeAll(connection,
            "ALTER TABLE %s REPLICA IDENTITY USING INDEX %s".formatted(t, original));
      }
    }
  }

  private String index(String name) {
    return Identifiers.quote(new TableRef(table.schema(), name));
  }

  private static String comment(String comment) {
    return comment == null ? "NULL" : Identifiers.literal(comment);
  }
}
