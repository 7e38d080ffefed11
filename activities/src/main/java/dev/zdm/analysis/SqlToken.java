package dev.zdm.analysis;


/**
 * One lexical token of PostgreSQL text.
 *
 * @param line the 1-based line where the token starts in its file
 * @param start offset of the first character in the text that was tokenized
 * @param end offset just past the last character
 */
public record SqlToken(Type type, String text, int line, int start, int end) {

  /** The lexical kinds the analyzer distinguishes. */
  public enum Type {
    /** A keyword or unquoted identifier. */
    WORD,
    /** A double-quoted identifier, {@code "Users"} or {@code U&"..."}. */
    QUOTED_IDENTIFIER,
    /** A string constant: {@code '...'}, {@code E'...'}, {@code B'...'}, {@code $tag$...$tag$}. */
    STRING,
    NUMBER,
    /** A positional parameter such as {@code $1}. */
    PARAMETER,
    OPERATOR,
    OPEN_PAREN,
    CLOSE_PAREN,
    OPEN_BRACKET,
    CLOSE_BRACKET,
    COMMA,
    SEMICOLON,
    DOT,
    COLON,
    /** A {@code -- ...} comment, kept only when the tokenizer is asked to keep comments. */
    LINE_COMMENT,
    /** A character PostgreSQL's lexer does not accept outside quotes (a backslash, say). */
    OTHER
  }

  /** True for the unquoted word {@code keyword}, compared case-insensitively. */
  public boolean is(String keyword) {
    return type == Type.WORD && text.equalsIgnoreCase(keyword);
  }

  public boolean isWord() {
    return type == Type.WORD;
  }

  /** A name as PostgreSQL stores it: quoted names kept verbatim, unquoted names folded to lower case. */
  public String identifier() {
    if (type == Type.QUOTED_IDENTIFIER) {
      return SqlNames.normalize(text.startsWith("U&") || text.startsWith("u&") ? text.substring(2) : text);
    }
    return SqlNames.foldCase(text);
  }

  public boolean isName() {
    return type == Type.WORD || type == Type.QUOTED_IDENTIFIER;
  }

  /** The contents of a dollar-quoted string, or of a plain quoted string with quotes undoubled. */
  public String stringValue() {
    if (type != Type.STRING) {
      return text;
    }
    if (text.startsWith("$")) {
      int tagEnd = text.indexOf('$', 1) + 1;
      return text.substring(tagEnd, text.length() - tagEnd);
    }
    int open = text.indexOf('\'');
    return text.substring(open + 1, text.length() - 1).replace("''", "'");
  }
}
