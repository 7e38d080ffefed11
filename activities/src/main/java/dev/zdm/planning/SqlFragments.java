package dev.zdm.planning;

import dev.zdm.analysis.SqlToken;
import dev.zdm.analysis.SqlTokenizer;
import dev.zdm.postgres.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the pieces of user SQL the strategy workflows need apart — the assignments of an UPDATE,
 * the parts of an index definition, the column references of an expression — from tokens, so
 * quotes, strings and nested parentheses are never cut in the wrong place.
 */
final class SqlFragments {
  private SqlFragments() {}

  /** One {@code column = expression} of an UPDATE's SET list. */
  record Assignment(String column, String expression) {}

  /** The SET list as assignments; empty when it is not a plain list (row-wise SET (a, b) = ...). */
  static Optional<List<Assignment>> assignments(String setClause) {
    List<Assignment> assignments = new ArrayList<>();
    for (String part : splitTopLevel(setClause, ",")) {
      List<SqlToken> tokens = SqlTokenizer.tokenize(part, 1);
      if (tokens.size() < 3 || !tokens.get(0).isName() || !"=".equals(tokens.get(1).text())) {
        return Optional.empty();
      }
      assignments.add(new Assignment(tokens.get(0).identifier(), part.substring(tokens.get(2).start()).strip()));
    }
    return assignments.isEmpty() ? Optional.empty() : Optional.of(assignments);
  }

  /** Whether {@code expression} reads {@code column} (an unqualified or qualified reference). */
  static boolean references(String expression, String column) {
    return SqlTokenizer.tokenize(expression, 1).stream()
        .anyMatch(token -> token.isName() && token.identifier().equals(column));
  }

  /** {@code expression} with every reference to {@code column} replaced by {@code placeholder}. */
  static String withPlaceholder(String expression, String column, String placeholder) {
    StringBuilder out = new StringBuilder();
    int copied = 0;
    List<SqlToken> tokens = SqlTokenizer.tokenize(expression, 1);
    for (int i = 0; i < tokens.size(); i++) {
      SqlToken token = tokens.get(i);
      boolean qualified = i > 0 && tokens.get(i - 1).type() == SqlToken.Type.DOT;
      boolean called = i + 1 < tokens.size() && tokens.get(i + 1).type() == SqlToken.Type.OPEN_PAREN;
      if (token.isName() && !qualified && !called && token.identifier().equals(column)) {
        out.append(expression, copied, token.start()).append(placeholder);
        copied = token.end();
      }
    }
    return out.append(expression.substring(copied)).toString();
  }

  /**
   * Functions and keywords whose value differs between the batches' transactions (or between
   * calls): an assignment of one never compares equal to what a done batch wrote.
   */
  private static final Set<String> CHANGING_VALUES = Set.of(
      "now", "current_timestamp", "current_time", "current_date", "localtime", "localtimestamp",
      "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
      "random", "random_normal", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
      "uuid_generate_v4", "nextval", "txid_current", "pg_current_xact_id");

  /**
   * Why no predicate can tell an UPDATE's done rows from its pending ones, or empty when
   * {@link #pendingRows} can: a value that changes with every batch is never "already applied",
   * and an assignment that reads a column the UPDATE sets gives another value once it is applied.
   */
  static Optional<String> whyNoPendingRows(List<Assignment> assignments) {
    for (Assignment assignment : assignments) {
      Optional<String> changing = SqlTokenizer.tokenize(assignment.expression(), 1).stream()
          .filter(token -> token.isWord() && CHANGING_VALUES.contains(token.identifier()))
          .map(SqlToken::text)
          .findFirst();
      if (changing.isPresent()) {
        return Optional.of("SET " + assignment.column() + " = " + assignment.expression() + " gives"
            + " another value in every batch (" + changing.get() + "), so a done row always looks"
            + " pending and the UPDATE is never done");
      }
      for (Assignment set : assignments) {
        if (references(assignment.expression(), set.column())) {
          return Optional.of("SET " + assignment.column() + " = " + assignment.expression()
              + " reads " + set.column() + (set == assignment ? ", its own column" : ", which the"
              + " same UPDATE sets") + ", so applying it again to a done row changes it again");
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The rows an UPDATE still has to change: its own WHERE and at least one assignment not yet
   * applied. Empty when {@link #whyNoPendingRows} has a reason: no predicate can tell done rows
   * from pending ones.
   */
  static Optional<String> pendingRows(List<Assignment> assignments, String where) {
    if (whyNoPendingRows(assignments).isPresent()) {
      return Optional.empty();
    }
    List<String> differences = new ArrayList<>();
    for (Assignment assignment : assignments) {
      differences.add(Identifiers.quote(assignment.column()) + " IS DISTINCT FROM (" + assignment.expression() + ")");
    }
    String notYetApplied = "(" + String.join(" OR ", differences) + ")";
    return Optional.of(where == null || where.isBlank() ? notYetApplied : "(" + where + ") AND " + notYetApplied);
  }

  /** The column names of a constraint's column list ({@code a, "B"}), as PostgreSQL stores them. */
  static List<String> columnNames(String columnList) {
    List<String> names = new ArrayList<>();
    for (String part : splitTopLevel(columnList, ",")) {
      List<SqlToken> tokens = SqlTokenizer.tokenize(part, 1);
      if (!tokens.isEmpty() && tokens.get(0).isName()) {
        names.add(tokens.get(0).identifier());
      }
    }
    return names;
  }

  /**
   * An index definition as the analyzer keeps it ({@code ON [ONLY] table <rest> [WHERE p]}) split
   * into what follows the table name and the predicate.
   */
  record IndexParts(String afterTable, String where) {}

  static Optional<IndexParts> indexParts(String definition) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(definition, 1);
    int i = 0;
    if (i < tokens.size() && tokens.get(i).is("ON")) {
      i++;
    }
    if (i < tokens.size() && tokens.get(i).is("ONLY")) {
      i++;
    }
    if (i >= tokens.size() || !tokens.get(i).isName()) {
      return Optional.empty();
    }
    i++;
    while (i + 1 < tokens.size() && tokens.get(i).type() == SqlToken.Type.DOT && tokens.get(i + 1).isName()) {
      i += 2;
    }
    if (i >= tokens.size()) {
      return Optional.empty();
    }
    String rest = definition.substring(tokens.get(i).start());
    int depth = 0;
    for (int j = i; j < tokens.size(); j++) {
      SqlToken token = tokens.get(j);
      if (token.type() == SqlToken.Type.OPEN_PAREN) {
        depth++;
      } else if (token.type() == SqlToken.Type.CLOSE_PAREN) {
        depth--;
      } else if (depth == 0 && token.is("WHERE")) {
        return Optional.of(new IndexParts(
            definition.substring(tokens.get(i).start(), token.start()).strip(),
            definition.substring(token.end()).strip()));
      }
    }
    return Optional.of(new IndexParts(rest.strip(), null));
  }

  private static List<String> splitTopLevel(String text, String separator) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int from = 0;
    for (SqlToken token : SqlTokenizer.tokenize(text, 1)) {
      if (token.type() == SqlToken.Type.OPEN_PAREN || token.type() == SqlToken.Type.OPEN_BRACKET) {
        depth++;
      } else if (token.type() == SqlToken.Type.CLOSE_PAREN || token.type() == SqlToken.Type.CLOSE_BRACKET) {
        depth--;
      } else if (depth == 0 && separator.equals(token.text())) {
        parts.add(text.substring(from, token.start()).strip());
        from = token.end();
      }
    }
    parts.add(text.substring(from).strip());
    return parts;
  }
}
