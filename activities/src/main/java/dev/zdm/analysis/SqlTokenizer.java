package dev.zdm.analysis;

import dev.zdm.analysis.SqlToken.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's lexical rules, enough to never mistake quoted text for code: single-quoted strings
 * with doubled quotes, {@code E'...'} strings with backslash escapes, {@code B''/X''/N''/U&''}
 * prefixes, quoted identifiers, dollar quotes with tags, nested block comments and positional
 * parameters. Unterminated quotes and comments raise {@link InvalidSqlException} with their line.
 */
public final class SqlTokenizer {
  private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";

  private final String text;
  private final boolean keepComments;
  private final List<SqlToken> tokens = new ArrayList<>();
  private int position;
  private int line;

  private SqlTokenizer(String text, int firstLine, boolean keepComments) {
    this.text = text;
    this.line = firstLine;
    this.keepComments = keepComments;
  }

  /** Tokens of {@code text}, without comments; {@code firstLine} is the line of its first char. */
  public static List<SqlToken> tokenize(String text, int firstLine) {
    return new SqlTokenizer(text, firstLine, false).run();
  }

  /** Tokens including {@code --} line comments (the splitter reads annotations from them). */
  public static List<SqlToken> tokenizeWithComments(String text) {
    return new SqlTokenizer(text, 1, true).run();
  }

  private List<SqlToken> run() {
    int n = text.length();
    while (position < n) {
      char c = text.charAt(position);
      char next = position + 1 < n ? text.charAt(position + 1) : '\0';
      if (c == '\n') {
        line++;
        position++;
      } else if (Character.isWhitespace(c)) {
        position++;
      } else if (c == '-' && next == '-') {
        int end = text.indexOf('\n', position);
        end = end < 0 ? n : end;
        if (keepComments) {
          add(Type.LINE_COMMENT, position, end, line);
        }
        position = end;
      } else if (c == '/' && next == '*') {
        skipBlockComment();
      } else if (c == '\'') {
        quoted(position, position, '\'', false, Type.STRING, "string literal");
      } else if (c == '"') {
        quoted(position, position, '"', false, Type.QUOTED_IDENTIFIER, "quoted identifier");
      } else if (c == '$') {
        dollar();
      } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(next))) {
        number();
      } else if (isIdentifierStart(c)) {
        word();
      } else {
        punctuation(c, next);
      }
    }
    return tokens;
  }

  private void skipBlockComment() {
    int startLine = line;
    int depth = 0;
    int n = text.length();
    while (position < n) {
      if (text.startsWith("/*", position)) {
        depth++;
        position += 2;
      } else if (text.startsWith("*/", position)) {
        depth--;
        position += 2;
        if (depth == 0) {
          return;
        }
      } else {
        if (text.charAt(position) == '\n') {
          line++;
        }
        position++;
      }
    }
    throw new InvalidSqlException(startLine, "unterminated block comment (/* without */)");
  }

  /** A quoted token whose opening quote is at {@code quoteAt}; the token starts at {@code start}. */
  private void quoted(
      int start, int quoteAt, char quote, boolean backslashEscapes, Type type, String what) {
    int startLine = line;
    int i = quoteAt + 1;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
      }
      if (backslashEscapes && c == '\\' && i + 1 < n) {
        if (text.charAt(i + 1) == '\n') {
          line++;
        }
        i += 2;
        continue;
      }
      if (c == quote) {
        if (i + 1 < n && text.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        add(type, start, i + 1, startLine);
        position = i + 1;
        return;
      }
      i++;
    }
    throw new InvalidSqlException(startLine, "unterminated " + what);
  }

  private void dollar() {
    int n = text.length();
    int j = position + 1;
    if (j < n && text.charAt(j) == '{') {
      flywayPlaceholder();
      return;
    }
    if (j < n && Character.isDigit(text.charAt(j))) {
      while (j < n && Character.isDigit(text.charAt(j))) {
        j++;
      }
      add(Type.PARAMETER, position, j, line);
      position = j;
      return;
    }
    while (j < n && isIdentifierPart(text.charAt(j)) && text.charAt(j) != '$') {
      j++;
    }
    if (j >= n || text.charAt(j) != '$') {
      add(Type.OTHER, position, position + 1, line);
      position++;
      return;
    }
    String tag = text.substring(position, j + 1);
    int close = text.indexOf(tag, j + 1);
    if (close < 0) {
      throw new InvalidSqlException(line, "unterminated dollar-quoted string " + tag);
    }
    int startLine = line;
    line += count(position, close + tag.length());
    add(Type.STRING, position, close + tag.length(), startLine);
    position = close + tag.length();
  }

  /**
   * Flyway (and Liquibase) replace {@code ${name}} before PostgreSQL sees the file, so real
   * Flyway migrations use it for schema and table names: read it as a word, the name it stands
   * for. {@code ${} cannot start anything in PostgreSQL itself, so nothing valid is misread.
   */
  private void flywayPlaceholder() {
    int close = text.indexOf('}', position);
    int newline = text.indexOf('\n', position);
    if (close < 0 || (newline >= 0 && newline < close)) {
      add(Type.OTHER, position, position + 1, line);
      position++;
      return;
    }
    add(Type.WORD, position, close + 1, line);
    position = close + 1;
  }

  private void number() {
    int n = text.length();
    int j = position;
    while (j < n) {
      char c = text.charAt(j);
      boolean exponentSign =
          (c == '+' || c == '-') && (text.charAt(j - 1) == 'e' || text.charAt(j - 1) == 'E');
      if (Character.isLetterOrDigit(c) || c == '_' || exponentSign
          || (c == '.' && !(j + 1 < n && text.charAt(j + 1) == '.'))) {
        j++;
      } else {
        break;
      }
    }
    add(Type.NUMBER, position, j, line);
    position = j;
  }

  private void word() {
    int n = text.length();
    int j = position;
    while (j < n && isIdentifierPart(text.charAt(j))) {
      j++;
    }
    String word = text.substring(position, j);
    char after = j < n ? text.charAt(j) : '\0';
    if (after == '\'' && (word.equalsIgnoreCase("E"))) {
      quoted(position, j, '\'', true, Type.STRING, "string literal");
      return;
    }
    if (after == '\''
        && (word.equalsIgnoreCase("B") || word.equalsIgnoreCase("X") || word.equalsIgnoreCase("N"))) {
      quoted(position, j, '\'', false, Type.STRING, "string literal");
      return;
    }
    if (word.equalsIgnoreCase("U") && after == '&' && j + 1 < n) {
      char quote = text.charAt(j + 1);
      if (quote == '\'') {
        quoted(position, j + 1, '\'', false, Type.STRING, "string literal");
        return;
      }
      if (quote == '"') {
        quoted(position, j + 1, '"', false, Type.QUOTED_IDENTIFIER, "quoted identifier");
        return;
      }
    }
    add(Type.WORD, position, j, line);
    position = j;
  }

  private void punctuation(char c, char next) {
    Type type =
        switch (c) {
          case '(' -> Type.OPEN_PAREN;
          case ')' -> Type.CLOSE_PAREN;
          case '[' -> Type.OPEN_BRACKET;
          case ']' -> Type.CLOSE_BRACKET;
          case ',' -> Type.COMMA;
          case ';' -> Type.SEMICOLON;
          case '.' -> Type.DOT;
          case ':' -> next == ':' || next == '=' ? Type.OPERATOR : Type.COLON;
          default -> OPERATOR_CHARS.indexOf(c) >= 0 ? Type.OPERATOR : Type.OTHER;
        };
    int end = position + 1;
    if (c == ':' && type == Type.OPERATOR) {
      end = position + 2;
    } else if (type == Type.OPERATOR) {
      while (end < text.length()
          && OPERATOR_CHARS.indexOf(text.charAt(end)) >= 0
          && !text.startsWith("--", end)
          && !text.startsWith("/*", end)) {
        end++;
      }
    }
    add(type, position, end, line);
    position = end;
  }

  private void add(Type type, int start, int end, int tokenLine) {
    tokens.add(new SqlToken(type, text.substring(start, end), tokenLine, start, end));
  }

  private int count(int from, int to) {
    int lines = 0;
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_' || c > 127;
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
  }
}
