package dev.zdm.engine.backfill;

import dev.zdm.backfill.BackfillRequest;
import dev.zdm.backfill.BatchChange;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Catalog;
import dev.zdm.postgres.Identifiers;
import dev.zdm.postgres.KeyColumn;
import dev.zdm.postgres.KeysetCursor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@link BatchChange.CopyRows}: each batch inserts into the target the rows of its range the
 * target does not have yet (or, refreshing, has with other values). Without refresh the source
 * rows are read FOR KEY SHARE: a row a concurrent transaction deletes (or re-keys) is either seen
 * gone or waited for, so the copy never brings back a row a sync trigger removed from the target;
 * a row the trigger inserted meanwhile wins through ON CONFLICT DO NOTHING, being newer.
 * Refreshing, the rows are read FOR SHARE: a row updated meanwhile is read in its newest version
 * (READ COMMITTED rechecks a locked row), so the value written over the target's is never older
 * than one a trigger may have written there.
 */
final class TableCopy implements RowChange {
  private final TableRef source;
  private final TableRef target;
  private final List<String> keys;
  /** Copied columns besides the key. */
  private final List<String> values;
  private final boolean refresh;

  private TableCopy(
      TableRef source, TableRef target, List<String> keys, List<String> values, boolean refresh) {
    this.source = source;
    this.target = target;
    this.keys = keys;
    this.values = values;
    this.refresh = refresh;
  }

  static TableCopy describe(
      Connection connection, BackfillRequest request, KeysetCursor cursor, BatchChange.CopyRows copy)
      throws SQLException {
    Catalog catalog = new Catalog(connection);
    if (!catalog.tableExists(copy.target())) {
      throw RowChange.refusal(request, "the copy's target " + copy.target() + " does not exist");
    }
    List<String> keys = cursor.key().stream().map(KeyColumn::name).toList();
    List<String> shared = catalog.sharedColumns(request.table(), copy.target(), false);
    if (!shared.containsAll(keys)) {
      throw RowChange.refusal(request, copy.target() + " lacks key columns of " + request.table());
    }
    List<String> wanted = copy.columns().isEmpty() ? shared : copy.columns();
    List<String> values = new ArrayList<>();
    for (String column : wanted) {
      if (!shared.contains(column)) {
        throw RowChange.refusal(request, "column " + column + " is not in both " + request.table()
            + " and " + copy.target());
      }
      if (!keys.contains(column) && !values.contains(column)) {
        values.add(column);
      }
    }
    return new TableCopy(request.table(), copy.target(), keys, List.copyOf(values), copy.refresh());
  }

  @Override
  public String pending() {
    List<String> match = new ArrayList<>(keys.stream().map(this::equal).toList());
    if (refresh) {
      // As text: json, xml, point... have no equality operator, and an archive of such a column
      // must still be copied and verified. Both sides have the same type, so equal text is an
      // equal value.
      values.forEach(column -> match.add(
          "t." + Identifiers.quote(column) + "::text IS NOT DISTINCT FROM " + sourceColumn(column) + "::text"));
    }
    return "NOT EXISTS (SELECT FROM %s t WHERE %s)"
        .formatted(Identifiers.quote(target), String.join(" AND ", match));
  }

  /**
   * Refreshing (an archive): a row whose copied values are all NULL needs no row in the target,
   * since an absent row reads as NULL. Rows the application inserts once it no longer writes the
   * column are such rows: the walk does not chase them, and verification accepts them.
   */
  @Override
  public String outstanding() {
    if (!refresh || values.isEmpty()) {
      return pending();
    }
    String anyValue = values.stream().map(c -> sourceColumn(c) + " IS NOT NULL")
        .collect(Collectors.joining(" OR "));
    String keyed = "EXISTS (SELECT FROM %s t WHERE %s)".formatted(
        Identifiers.quote(target), keys.stream().map(this::equal).collect(Collectors.joining(" AND ")));
    return "(%s) AND (%s OR %s)".formatted(pending(), anyValue, keyed);
  }

  @Override
  public long apply(Connection connection, KeysetCursor cursor, List<String> after, List<String> last)
      throws SQLException {
    List<String> columns = new ArrayList<>(keys);
    columns.addAll(values);
    String list = Identifiers.quoteAll(columns);
    String onConflict = refresh && !values.isEmpty()
        ? "(" + Identifiers.quoteAll(keys) + ") DO UPDATE SET " + values.stream()
            .map(c -> Identifiers.quote(c) + " = EXCLUDED." + Identifiers.quote(c))
            .collect(Collectors.joining(", "))
        : "DO NOTHING";
    String sql =
        """
        INSERT INTO %1$s (%2$s) OVERRIDING SYSTEM VALUE
        SELECT %2$s FROM %3$s
         WHERE %4$s AND %5$s AND (%6$s)
         ORDER BY %7$s%8$s
        ON CONFLICT %9$s
        """
            .formatted(
                Identifiers.quote(target),
                list,
                Identifiers.quote(source),
                after == null ? "true" : cursor.after(null),
                cursor.atOrBefore(null),
                pending(),
                cursor.orderBy(null),
                refresh ? " FOR SHARE" : " FOR KEY SHARE",
                onConflict);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int next = after == null ? 1 : cursor.bindAfter(statement, 1, after);
      cursor.bindAfter(statement, next, last);
      return statement.executeUpdate();
    }
  }

  private String equal(String key) {
    return "t." + Identifiers.quote(key) + " = " + sourceColumn(key);
  }

  /** The source's column as the engine's statements see it: the table is named, not aliased. */
  private String sourceColumn(String column) {
    return Identifiers.quote(source) + "." + Identifiers.quote(column);
  }
}
