package dev.zdm.engine.dualwrite;

import dev.zdm.catalog.DescriptionFacts;
import dev.zdm.catalog.TableDescription;
import dev.zdm.catalog.TableDescription.Column;
import java.util.ArrayList;
import java.util.List;

/**
 * What the cut-over would drop along with the old column and dual-write does not yet recreate on
 * the new one: indexes, constraints, views, foreign keys of other tables that reference it,
 * column grants, identity or generation. The column's DEFAULT (and the sequence it owns) is not
 * among them: the cut-over moves it to the new column.
 */
final class OldColumnDependents {
  private OldColumnDependents() {}

  static List<String> of(TableDescription table, String column) {
    List<String> dependents = new ArrayList<>(DescriptionFacts.objectsUsing(table, column));
    Column old = table.column(column).orElseThrow();
    old.grants().forEach(grant -> dependents.add("column grant " + grant.privilege() + " to " + grant.grantee()));
    if (!old.identity().isEmpty()) {
      dependents.add("its identity");
    }
    if (!old.generated().isEmpty()) {
      dependents.add("its generation expression");
    }
    return dependents;
  }
}
