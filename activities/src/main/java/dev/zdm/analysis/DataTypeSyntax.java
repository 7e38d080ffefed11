package dev.zdm.analysis;

import dev.zdm.analysis.SqlToken.Type;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL's grammar for a data type as written in a column definition or ALTER COLUMN TYPE: a
 * possibly qualified name, or one of the SQL-standard multi-word types, then optional modifiers
 * in parentheses and array bounds. Anything else in that place is a syntax error on the server
 * (a misspelt {@code ADD COLUM x int} reads "x int" as a type), so it is one here.
 */
final class DataTypeSyntax {
  private static final Set<String> INTERVAL_FIELDS =
      Set.of("year", "month", "day", "hour", "minute", "second", "to");

  private DataTypeSyntax() {}

  /** @throws InvalidSqlException at the first token that cannot belong to a data type */
  static void check(List<SqlToken> type) {
    int i = 0;
    int n = type.size();
    if (n == 0) {
      return;
    }
    SqlToken first = type.get(0);
    if (first.is("setof")) {
      i++;
    }
    i = baseType(type, i);
    i = modifiers(type, i);
    i = arrayBounds(type, i);
    if (i < n) {
      throw new InvalidSqlException(type.get(i).line(),
          "syntax error at " + TokenCursor.describe(type.get(i)) + ": not part of the data type "
              + text(type));
    }
  }

  private static int baseType(List<SqlToken> type, int i) {
    SqlToken word = at(type, i);
    if (word == null || !word.isName()) {
      throw new InvalidSqlException(word == null ? 0 : word.line(),
          "syntax error at " + TokenCursor.describe(word) + ": expected a data type");
    }
    i++;
    if (word.is("double") && is(type, i, "precision")) {
      return i + 1;
    }
    if (word.is("national")) {
      i = is(type, i, "character") || is(type, i, "char") ? i + 1 : i;
      return is(type, i, "varying") ? i + 1 : i;
    }
    if (word.is("character") || word.is("char") || word.is("bit")) {
      return is(type, i, "varying") ? i + 1 : i;
    }
    if (word.is("timestamp") || word.is("time")) {
      i = modifiers(type, i);
      if ((is(type, i, "with") || is(type, i, "without")) && is(type, i + 1, "time")
          && is(type, i + 2, "zone")) {
        return i + 3;
      }
      return i;
    }
    if (word.is("interval")) {
      while (at(type, i) != null && at(type, i).isWord()
          && INTERVAL_FIELDS.contains(at(type, i).identifier())) {
        i++;
      }
      return i;
    }
    while (at(type, i) != null && at(type, i).type() == Type.DOT && at(type, i + 1) != null
        && at(type, i + 1).isName()) {
      i += 2;
    }
    return i;
  }

  /** {@code (n)} or {@code (p, s)}: skipped whole. */
  private static int modifiers(List<SqlToken> type, int i) {
    if (at(type, i) == null || at(type, i).type() != Type.OPEN_PAREN) {
      return i;
    }
    int depth = 0;
    for (; i < type.size(); i++) {
      Type t = type.get(i).type();
      if (t == Type.OPEN_PAREN) {
        depth++;
      } else if (t == Type.CLOSE_PAREN && --depth == 0) {
        return i + 1;
      }
    }
    return i;
  }

  /** {@code []}, {@code [4]}, repeated; or {@code ARRAY}, {@code ARRAY[4]}. */
  private static int arrayBounds(List<SqlToken> type, int i) {
    if (is(type, i, "array")) {
      i++;
    }
    while (at(type, i) != null && at(type, i).type() == Type.OPEN_BRACKET) {
      i++;
      if (at(type, i) != null && at(type, i).type() == Type.NUMBER) {
        i++;
      }
      if (at(type, i) == null || at(type, i).type() != Type.CLOSE_BRACKET) {
        return i;
      }
      i++;
    }
    return i;
  }

  private static SqlToken at(List<SqlToken> type, int i) {
    return i < type.size() ? type.get(i) : null;
  }

  private static boolean is(List<SqlToken> type, int i, String word) {
    return at(type, i) != null && at(type, i).is(word);
  }

  private static String text(List<SqlToken> type) {
    StringBuilder out = new StringBuilder();
    for (SqlToken token : type) {
      out.append(out.isEmpty() ? "" : " ").append(token.text());
    }
    return "'" + out + "'";
  }
}
