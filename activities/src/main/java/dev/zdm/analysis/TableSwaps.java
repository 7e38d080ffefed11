package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.NewName;
import dev.zdm.model.TableRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A table swap built by hand in one file: a new table is created (and filled), the live table is
 * renamed aside and the new one renamed to its name. That is a blue-green switch without the sync
 * trigger, so writes made to the live table after the copy are lost; zdm's blue-green strategy
 * does it safely. Found before the statements are judged, because the live table's rename usually
 * comes before the new table's.
 */
final class TableSwaps {
  /** Live table name -> the name it is renamed aside to (null until seen). */
  private final Map<TableRef, TableRef> swapped = new HashMap<>();
  private final Set<TableRef> asideNames = new HashSet<>();

  private TableSwaps() {}

  static TableSwaps find(List<List<Action>> statements) {
    Set<TableRef> created = new HashSet<>();
    Map<TableRef, TableRef> renames = new HashMap<>();
    for (List<Action> actions : statements) {
      for (Action action : actions) {
        switch (action.kind()) {
          case CREATE_TABLE, CREATE_TABLE_AS -> created.add(action.table());
          case RENAME_TABLE -> renames.put(action.table(), renamed(action));
          default -> {}
        }
      }
    }
    TableSwaps swaps = new TableSwaps();
    for (Map.Entry<TableRef, TableRef> rename : renames.entrySet()) {
      TableRef from = rename.getKey();
      TableRef to = rename.getValue();
      if (created.contains(from) && !created.contains(to) && renames.containsKey(to)) {
        swaps.swapped.put(to, renames.get(to));
        swaps.asideNames.add(renames.get(to));
      }
    }
    return swaps;
  }

  /** True when {@code table} is the live table a new copy replaces by renames in this file. */
  boolean replaces(TableRef table) {
    return swapped.containsKey(table);
  }

  /** True when {@code table} is the name the live table was renamed aside to. */
  boolean isAside(TableRef table) {
    return asideNames.contains(table);
  }

  static TableRef renamed(Action action) {
    return new TableRef(action.table().schema(), ((NewName) action.detail()).newName());
  }
}
