package dev.zdm.analysis;

import dev.zdm.model.TableRef;

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
    return foldCase(name);
  }

  /**
   * PostgreSQL folds unquoted names to lower case in ASCII only: {@code Ärger} stays {@code Ärger}
   * (Java's toLowerCase would make it {@code ärger}, a name that does not exist).
   */
  public static String foldCase(String unquoted) {
    StringBuilder folded = new StringBuilder(unquoted.length());
    for (int i = 0; i < unquoted.length(); i++) {
      char c = unquoted.charAt(i);
      folded.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return folded.toString();
  }

  public static TableRef table(String schemaAsWritten, String nameAsWritten) {
    return new TableRef(normalize(schemaAsWritten), normalize(nameAsWritten));
  }
}
