package dev.zdm.analysis;

import dev.zdm.model.TableRef;
import java.util.Locale;

/** Turns names as written in SQL into names as PostgreSQL stores them (quotes off, case folded). */
public final class SqlNames {
  private SqlNames() {}

  /** {@code "Users"} stays {@code Users}; {@code Users} becomes {@code users}. */
  public static String normalize(String written) {
    if (written == null) {
      return null;
    }
    String name = written.strip();
    if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
      return name.substring(1, name.length() - 1).replace("\"\"", "\"");
    }
    return name.toLowerCase(Locale.ROOT);
  }

  public static TableRef table(String schemaAsWritten, String nameAsWritten) {
    return new TableRef(normalize(schemaAsWritten), normalize(nameAsWritten));
  }
}
