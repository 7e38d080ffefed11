package dev.zdm.analysis;

import dev.zdm.analysis.SqlToken.Type;
import java.util.List;
import java.util.Set;

/**
 * Syntax errors that are certain from the tokens alone, whatever the statement: unbalanced
 * parentheses, MySQL backtick quoting, an empty list element, a binary operator with no right
 * operand. PostgreSQL's grammar accepts none of them anywhere (docs/decisions/0103), so
 * checking them never refuses valid SQL; subtler expression errors are left to the server.
 */
final class TokenSyntaxCheck {
  /** Operators that always need a right operand (no postfix form since PostgreSQL 14). */
  private static final Set<String> BINARY_OPERATORS =
      Set.of("+", "/", "%", "^", "=", "<", ">", "<=", ">=", "<>", "!=", "||", "and", "or");

  /**
   * Where an operator is named, not applied: EXCLUDE (c WITH =), ORDER BY c USING <, SORTOP = >.
   */
  private static final Set<String> OPERATOR_NAMING_WORDS = Set.of("with", "using", "operator");

  private TokenSyntaxCheck() {}

  /** @throws InvalidSqlException at the first certain syntax error */
  static void check(List<SqlToken> tokens, int line) {
    checkBalanced(tokens, line);
    boolean namesOperators = tokens.stream().anyMatch(t -> t.is("operator"));
    for (int i = 0; i < tokens.size(); i++) {
      SqlToken token = tokens.get(i);
      SqlToken next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
      if (token.type() == Type.OPERATOR && token.text().contains("`")) {
        throw new InvalidSqlException(token.line(), "syntax error at '`': backtick quoting is"
            + " MySQL's; PostgreSQL quotes identifiers with double quotes");
      }
      if (emptyElement(token, next)) {
        throw new InvalidSqlException(next.line(),
            "syntax error at '" + next.text() + "': empty element in a list");
      }
      if (!namesOperators && isBinaryOperator(token) && endsOperand(next)
          && !namesOperator(i == 0 ? null : tokens.get(i - 1))) {
        throw new InvalidSqlException(token.line(), "syntax error at "
            + TokenCursor.describe(next) + ": operator " + token.text() + " has no right operand");
      }
    }
  }

  private static boolean emptyElement(SqlToken token, SqlToken next) {
    if (next == null || next.type() != Type.COMMA && next.type() != Type.CLOSE_PAREN) {
      return false;
    }
    return token.type() == Type.COMMA
        || token.type() == Type.OPEN_PAREN && next.type() == Type.COMMA;
  }

  private static boolean isBinaryOperator(SqlToken token) {
    return (token.type() == Type.OPERATOR || token.isWord())
        && BINARY_OPERATORS.contains(token.text().toLowerCase(java.util.Locale.ROOT));
  }

  private static boolean endsOperand(SqlToken next) {
    return next == null || next.type() == Type.CLOSE_PAREN || next.type() == Type.COMMA
        || next.type() == Type.SEMICOLON;
  }

  private static boolean namesOperator(SqlToken previous) {
    return previous == null || previous.type() == Type.DOT || previous.type() == Type.OPEN_PAREN
        || previous.type() == Type.COMMA || previous.type() == Type.OPERATOR
        || previous.isWord() && OPERATOR_NAMING_WORDS.contains(
            previous.text().toLowerCase(java.util.Locale.ROOT));
  }

  private static void checkBalanced(List<SqlToken> tokens, int line) {
    int depth = 0;
    for (SqlToken token : tokens) {
      if (token.type() == Type.OPEN_PAREN) {
        depth++;
      } else if (token.type() == Type.CLOSE_PAREN && --depth < 0) {
        throw new InvalidSqlException(token.line(), "syntax error at ')': no matching '('");
      }
    }
    if (depth > 0) {
      throw new InvalidSqlException(line, "syntax error: " + depth + " unclosed '('");
    }
  }
}
