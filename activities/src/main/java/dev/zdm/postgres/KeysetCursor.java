package dev.zdm.postgres;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * SQL pieces for walking a table in primary-key order, one batch at a time. The cursor is the
 * last key seen, kept as text (so it can be heartbeated and stored in the ledger) and cast back to
 * the key's own types when bound, which works for composite keys and any key type.
 */
public final class KeysetCursor {
  private final List<KeyColumn> key;

  public KeysetCursor(List<KeyColumn> key) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("a keyset cursor needs at least one key column");
    }
    this.key = List.copyOf(key);
  }

  public List<KeyColumn> key() {
    return key;
  }

  /** {@code "a", "b"} — optionally prefixed with a table alias. */
  public String columns(String alias) {
    return key.stream()
        .map(column -> prefix(alias) + Identifiers.quote(column.name()))
        .collect(Collectors.joining(", "));
  }

  public String orderBy(String alias) {
    return columns(alias);
  }

  public String orderByDescending(String alias) {
    return key.stream()
        .map(column -> prefix(alias) + Identifiers.quote(column.name()) + " DESC")
        .collect(Collectors.joining(", "));
  }

  /** {@code ("a", "b") > (?::bigint, ?::text)}; bind with {@link #bindAfter}. */
  public String after(String alias) {
    return compare(alias, ">");
  }

  /** {@code ("a", "b") <= (?::bigint, ?::text)}: the end of a key range; bind with {@link #bindAfter}. */
  public String atOrBefore(String alias) {
    return compare(alias, "<=");
  }

  private String compare(String alias, String operator) {
    String casts =
        key.stream().map(column -> "?::" + column.type()).collect(Collectors.joining(", "));
    return "(" + columns(alias) + ") " + operator + " (" + casts + ")";
  }

  /** {@code ARRAY["a"::text, "b"::text]}: the key of a row as the cursor stores it. */
  public String keyAsText(String alias) {
    return key.stream()
        .map(column -> prefix(alias) + Identifiers.quote(column.name()) + "::text")
        .collect(Collectors.joining(", ", "ARRAY[", "]"));
  }

  /** {@code a."x" = b."x" AND ...}: joins two relations on the key. */
  public String joinOn(String left, String right) {
    return key.stream()
        .map(c -> prefix(left) + Identifiers.quote(c.name()) + " = " + prefix(right) + Identifiers.quote(c.name()))
        .collect(Collectors.joining(" AND "));
  }

  public int bindAfter(PreparedStatement statement, int firstIndex, List<String> lastKey)
      throws SQLException {
    if (lastKey.size() != key.size()) {
      throw new IllegalArgumentException(
          "cursor has " + lastKey.size() + " values for a key of " + key.size() + " columns");
    }
    int index = firstIndex;
    for (String value : lastKey) {
      statement.setString(index++, value);
    }
    return index;
  }

  private static String prefix(String alias) {
    return alias == null || alias.isEmpty() ? "" : alias + ".";
  }
}
