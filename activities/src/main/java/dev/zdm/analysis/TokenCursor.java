package dev.zdm.analysis;

import dev.zdm.analysis.SqlToken.Type;
import dev.zdm.model.TableRef;
import java.util.ArrayList;
import java.util.List;

/** A read position in one statement's tokens, with the few moves the structural readers need. */
final class TokenCursor {
  private final String sql;
  private final List<SqlToken> tokens;
  private final int statementLine;
  private int index;

  TokenCursor(String sql, List<SqlToken> tokens, int statementLine) {
    this.sql = sql;
    this.tokens = tokens;
    this.statementLine = statementLine;
  }

  boolean atEnd() {
    return index >= tokens.size();
  }

  SqlToken peek() {
    return peek(0);
  }

  SqlToken peek(int ahead) {
    int i = index + ahead;
    return i < tokens.size() ? tokens.get(i) : null;
  }

  SqlToken next() {
    if (atEnd()) {
      throw invalid("unexpected end of statement");
    }
    return tokens.get(index++);
  }

  int position() {
    return index;
  }

  /** True (and moves past them) when the next tokens are exactly these words. */
  boolean accept(String... words) {
    for (int i = 0; i < words.length; i++) {
      SqlToken token = peek(i);
      if (token == null || !token.is(words[i])) {
        return false;
      }
    }
    index += words.length;
    return true;
  }

  boolean peekIs(String word) {
    SqlToken token = peek();
    return token != null && token.is(word);
  }

  boolean peekIs(Type type) {
    SqlToken token = peek();
    return token != null && token.type() == type;
  }

  void expect(String word, String context) {
    if (!accept(word)) {
      throw invalid(
          "expected " + word + " " + context + " but found " + describe(peek()));
    }
  }

  /** A possibly schema-qualified name: {@code t}, {@code s.t}, {@code "S"."T"}. */
  TableRef qualifiedName(String what) {
    List<String> parts = dottedName(what);
    int n = parts.size();
    return new TableRef(n >= 2 ? parts.get(n - 2) : null, parts.get(n - 1));
  }

  /** Every part of a dotted name as written: {@code c}, {@code t.c}, {@code s.t.c}. */
  List<String> dottedName(String what) {
    List<String> parts = new ArrayList<>();
    parts.add(name(what));
    while (peekIs(Type.DOT)) {
      index++;
      parts.add(name(what));
    }
    return parts;
  }

  /** One identifier as PostgreSQL stores it. */
  String name(String what) {
    SqlToken token = peek();
    if (token == null || !token.isName()) {
      throw invalid("expected " + what + " but found " + describe(token));
    }
    index++;
    return token.identifier();
  }

  /** Skips a parenthesised group when one comes next; returns its inner text or null. */
  String parenthesized() {
    if (!peekIs(Type.OPEN_PAREN)) {
      return null;
    }
    int open = index;
    int depth = 0;
    while (!atEnd()) {
      SqlToken token = tokens.get(index++);
      if (token.type() == Type.OPEN_PAREN) {
        depth++;
      } else if (token.type() == Type.CLOSE_PAREN && --depth == 0) {
        return sql.substring(tokens.get(open).end(), token.start()).strip();
      }
    }
    throw invalid("unbalanced parentheses");
  }

  /** Moves to the next top-level comma (or the end) and returns the tokens passed over. */
  List<SqlToken> untilComma() {
    List<SqlToken> passed = new ArrayList<>();
    int depth = 0;
    while (!atEnd()) {
      SqlToken token = tokens.get(index);
      if (depth == 0 && token.type() == Type.COMMA) {
        break;
      }
      if (token.type() == Type.OPEN_PAREN || token.type() == Type.OPEN_BRACKET) {
        depth++;
      } else if (token.type() == Type.CLOSE_PAREN || token.type() == Type.CLOSE_BRACKET) {
        depth--;
      }
      passed.add(token);
      index++;
    }
    return passed;
  }

  /** Moves past the next top-level occurrence of {@code word}; false (and unmoved) when none. */
  boolean skipPast(String word) {
    int depth = 0;
    for (int i = index; i < tokens.size(); i++) {
      SqlToken token = tokens.get(i);
      if (token.type() == Type.OPEN_PAREN) {
        depth++;
      } else if (token.type() == Type.CLOSE_PAREN) {
        depth--;
      } else if (depth == 0 && token.is(word)) {
        index = i + 1;
        return true;
      }
    }
    return false;
  }

  /** The statement text from token {@code from} (inclusive) to the current position. */
  String textFrom(int from) {
    if (from >= index) {
      return "";
    }
    return sql.substring(tokens.get(from).start(), tokens.get(index - 1).end());
  }

  /** The tokens from {@code from} (inclusive) to the current position. */
  List<SqlToken> tokensFrom(int from) {
    return from >= index ? List.of() : tokens.subList(from, index);
  }

  /** The statement text from the current position to the end. */
  String rest() {
    return atEnd() ? "" : sql.substring(tokens.get(index).start()).strip();
  }

  void skipToEnd() {
    index = tokens.size();
  }

  int line() {
    SqlToken token = atEnd() ? (tokens.isEmpty() ? null : tokens.get(tokens.size() - 1)) : peek();
    return token == null ? statementLine : token.line();
  }

  InvalidSqlException invalid(String reason) {
    return new InvalidSqlException(line(), reason);
  }

  static String describe(SqlToken token) {
    return token == null ? "the end of the statement" : "'" + token.text() + "'";
  }

  /** The text spanned by a run of tokens of this statement. */
  String textOf(List<SqlToken> run) {
    if (run.isEmpty()) {
      return "";
    }
    return sql.substring(run.get(0).start(), run.get(run.size() - 1).end());
  }
}
