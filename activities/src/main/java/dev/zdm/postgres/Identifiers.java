package dev.zdm.postgres;

import dev.zdm.model.TableRef;
import java.util.List;
import java.util.stream.Collectors;

/** The one place identifiers become SQL: every name zdm writes into a statement passes here. */
public final class Identifiers {
  /** PostgreSQL truncates longer names (NAMEDATALEN - 1). */
  public static final int MAX_IDENTIFIER_BYTES = 63;

  private Identifiers() {}

  /** Double-quotes a name as PostgreSQL stores it, doubling embedded quotes. */
  public static String quote(String identifier) {
    if (identifier == null || identifier.isEmpty()) {
      throw new IllegalArgumentException("an identifier must not be empty");
    }
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("an identifier must not contain NUL");
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  public static String quote(TableRef table) {
    return quote(table.schema()) + "." + quote(table.name());
  }

  public static String quoteAll(List<String> identifiers) {
    return identifiers.stream().map(Identifiers::quote).collect(Collectors.joining(", "));
  }

  /** A single-quoted SQL string literal, for the few places (COMMENT ON) that take no parameter. */
  public static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a literal must not contain NUL");
    }
    if (value.indexOf('\\') < 0) {
      return "'" + value.replace("'", "''") + "'";
    }
    // With standard_conforming_strings off a backslash in '...' is an escape: an E'' string reads
    // the same under either setting.
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /**
   * A generated name that fits PostgreSQL's limit: {@code prefix + parts}, shortened with a stable
   * hash suffix when too long, so two long names never collide by truncation.
   */
  public static String generatedName(String prefix, String... parts) {
    String name = prefix + String.join("_", parts);
    if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
      return name;
    }
    String hash = String.format("%08x", name.hashCode());
    StringBuilder shortened = new StringBuilder();
    for (char c : name.toCharArray()) {
      if (shortened.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
          >= MAX_IDENTIFIER_BYTES - hash.length() - 4) {
        break;
      }
      shortened.append(c);
    }
    return shortened + "_" + hash;
  }
}
