package dev.zdm.analysis;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One statement of a migration file as written.
 *
 * @param line the 1-based line of the statement's first token
 * @param sql the statement without its terminating semicolon
 * @param metadata the {@code -- @metadata {...}} annotation in force for it (empty when none)
 */
public record SqlStatement(int line, String sql, Map<String, Object> metadata) {
  public SqlStatement {
    metadata =
        metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
