package dev.zdm.engine.expandcontract;

import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;

/**
 * The objects that keep one dropped column's values: the archive table, and the trigger on the
 * source table with its function that keep the archive equal to the column until the drop. The
 * three share one name (tables, functions and a table's triggers are separate namespaces).
 */
public record ArchiveObjects(TableRef source, String column, String name) {

  public TableRef table() {
    return new TableRef(source.schema(), name);
  }

  public String trigger() {
    return name;
  }

  /** The function, schema-qualified and quoted, without its (empty) argument list. */
  public String function() {
    return Identifiers.quote(source.schema()) + "." + Identifiers.quote(name);
  }
}
