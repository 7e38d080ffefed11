package dev.zdm.engine.dualwrite;

import dev.zdm.postgres.Identifiers;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and rewrites the references to one column in a definition PostgreSQL deparsed
 * (pg_get_indexdef, pg_get_constraintdef, pg_get_expr), working on tokens, never on raw text: a
 * string literal, a quoted identifier, a function of the same name ({@code lower(lower)}), a
 * qualified name, a type after {@code ::} or {@code AS} and a collation are not column references.
 */
final class ColumnReferences {
  private ColumnReferences() {}

  /** One lexical token; {@code identifier} holds the name an identifier token stands for. */
  private record Token(String text, String identifier, boolean space) {
    boolean is(String word) {
      return identifier != null && !text.startsWith("\"") && text.equalsIgnoreCase(word);
    }
  }

  /** {@code sql} with every reference to column {@code from} replaced by {@code to}, quoted. */
  static String rename(String sql, String from, String to) {
    List<Token> tokens = tokens(sql);
    StringBuilder out = new StringBuilder(sql.length() + 8);
    for (int i = 0; i < tokens.size(); i++) {
      out.append(isReference(tokens, i, from) ? Identifiers.quote(to) : tokens.get(i).text());
    }
    return out.toString();
  }

  /** Whether the definition reads column {@code column}. */
  static boolean mentions(String sql, String column) {
    List<Token> tokens = tokens(sql);
    for (int i = 0; i < tokens.size(); i++) {
      if (isReference(tokens, i, column)) {
        return true;
      }
    }
    return false;
  }

  /** Whether any identifier token (in any position) is {@code name}. */
  static boolean mentionsName(String sql, String name) {
    return tokens(sql).stream().anyMatch(t -> name.equals(t.identifier()));
  }

  /**
   * The text from the first top-level unquoted keyword {@code word} on (inclusive), or -1 when
   * there is none: {@code USING} after the table of an index definition, {@code REFERENCES} in a
   * foreign key. A quoted name spelled like the keyword does not count.
   */
  static int keywordOffset(String sql, String word) {
    int offset = 0;
    for (Token token : tokens(sql)) {
      if (token.is(word)) {
        return offset;
      }
      offset += token.text().length();
    }
    return -1;
  }

  private static boolean isReference(List<Token> tokens, int i, String column) {
    Token token = tokens.get(i);
    if (token.identifier() == null || !token.identifier().equals(column)) {
      return false;
    }
    Token before = neighbour(tokens, i, -1);
    Token after = neighbour(tokens, i, 1);
    if (before != null && (before.text().equals(".") || before.text().equals("::")
        || before.is("AS") || before.is("COLLATE"))) {
      return false;
    }
    return after == null || !(after.text().equals("(") || after.text().equals("."));
  }

  private static Token neighbour(List<Token> tokens, int i, int step) {
    for (int j = i + step; j >= 0 && j < tokens.size(); j += step) {
      if (!tokens.get(j).space()) {
        return tokens.get(j);
      }
    }
    return null;
  }

  private static List<Token> tokens(String sql) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      int start = i;
      if (Character.isWhitespace(c)) {
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
          i++;
        }
        tokens.add(new Token(sql.substring(start, i), null, true));
      } else if (c == '\'') {
        i = endOfQuoted(sql, i, '\'', false);
        tokens.add(new Token(sql.substring(start, i), null, false));
      } else if ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'') {
        i = endOfQuoted(sql, i + 1, '\'', true);
        tokens.add(new Token(sql.substring(start, i), null, false));
      } else if (c == '"') {
        i = endOfQuoted(sql, i, '"', false);
        String body = sql.substring(start + 1, Math.max(start + 1, i - 1));
        tokens.add(new Token(sql.substring(start, i), body.replace("\"\"", "\""), false));
      } else if (c == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int end = sql.indexOf(tag, i + tag.length());
        i = end < 0 ? n : end + tag.length();
        tokens.add(new Token(sql.substring(start, i), null, false));
      } else if (Character.isLetter(c) || c == '_' || c > 127) {
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
            || sql.charAt(i) == '$' || sql.charAt(i) > 127)) {
          i++;
        }
        String word = sql.substring(start, i);
        tokens.add(new Token(word, word, false));
      } else if (Character.isDigit(c)) {
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
          i++;
        }
        tokens.add(new Token(sql.substring(start, i), null, false));
      } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
        i += 2;
        tokens.add(new Token("::", null, false));
      } else {
        i++;
        tokens.add(new Token(String.valueOf(c), null, false));
      }
    }
    return tokens;
  }

  /** The index just past a quoted token starting at {@code i}; a doubled quote stays inside. */
  private static int endOfQuoted(String sql, int i, char quote, boolean backslashEscapes) {
    int j = i + 1;
    while (j < sql.length()) {
      char c = sql.charAt(j);
      if (backslashEscapes && c == '\\') {
        j += 2;
        continue;
      }
      if (c == quote) {
        if (j + 1 < sql.length() && sql.charAt(j + 1) == quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return sql.length();
  }

  private static String dollarTag(String sql, int i) {
    int j = i + 1;
    while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
      j++;
    }
    return j < sql.length() && sql.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1)))
        ? sql.substring(i, j + 1) : null;
  }
}
