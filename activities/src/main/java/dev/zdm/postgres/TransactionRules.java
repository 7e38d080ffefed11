package dev.zdm.postgres;

/** Which statements PostgreSQL refuses to run inside a transaction block. */
public final class TransactionRules {
  private TransactionRules() {}

  /**
   * False for CONCURRENTLY statements (and the few other commands PostgreSQL refuses in a
   * transaction: VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM); the keyword counts only outside
   * quotes and comments.
   */
  public static boolean mayRunInTransaction(String sql) {
    String words = unquotedUpperCase(sql).strip();
    return !(words.matches("(?s).*\\bCONCURRENTLY\\b.*")
        || words.matches("(?s)^(VACUUM|CREATE\\s+DATABASE|DROP\\s+DATABASE|ALTER\\s+SYSTEM)\\b.*"));
  }

  private static String unquotedUpperCase(String sql) {
    StringBuilder unquoted = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? sql.length() : end;
        unquoted.append(' ');
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        unquoted.append(' ');
        continue;
      }
      unquoted.append(Character.toUpperCase(c));
    }
    return unquoted.toString();
  }
}
