package dev.zdm.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.error.ZdmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits PostgreSQL text into statements the way psql does: semicolons end statements except
 * inside quotes, dollar quotes and comments. Also collects {@code -- @metadata {...}} annotations;
 * an annotation applies to the statements after it until the next one.
 */
public final class SqlSplitter {
  private static final String METADATA_MARKER = "@metadata";
  private static final ObjectMapper JSON = new ObjectMapper();

  public MigrationScript split(String sourceName, String text) {
    List<SqlStatement> statements = new ArrayList<>();
    Map<String, Object> metadata = Map.of();
    StringBuilder current = new StringBuilder();
    int statementLine = -1;
    int line = 1;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      char next = i + 1 < n ? text.charAt(i + 1) : '\0';
      if (c == '-' && next == '-') {
        int end = text.indexOf('\n', i);
        end = end < 0 ? n : end;
        String comment = text.substring(i + 2, end).strip();
        if (comment.startsWith(METADATA_MARKER)) {
          metadata = parseMetadata(sourceName, line, comment.substring(METADATA_MARKER.length()));
        }
        i = end;
        continue;
      }
      if (c == '/' && next == '*') {
        int start = i;
        int depth = 0;
        while (i < n) {
          if (text.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (text.startsWith("*/", i)) {
            depth--;
            i += 2;
            if (depth == 0) {
              break;
            }
          } else {
            i++;
          }
        }
        if (depth != 0) {
          throw unterminated(sourceName, lineOf(text, start), "block comment");
        }
        line += count(text, start, i, '\n');
        if (statementLine > 0) {
          current.append(' ');
        }
        continue;
      }
      if (c == ';') {
        addStatement(statements, current, statementLine, metadata);
        current.setLength(0);
        statementLine = -1;
        i++;
        continue;
      }
      if (!Character.isWhitespace(c) && statementLine < 0) {
        statementLine = line;
      }
      int end = i + 1;
      if (c == '\'') {
        boolean backslashEscapes = i > 0 && (text.charAt(i - 1) == 'E' || text.charAt(i - 1) == 'e')
            && (i < 2 || !Character.isLetterOrDigit(text.charAt(i - 2)));
        end = endOfQuoted(text, i, '\'', backslashEscapes);
        if (end < 0) {
          throw unterminated(sourceName, line, "string literal");
        }
      } else if (c == '"') {
        end = endOfQuoted(text, i, '"', false);
        if (end < 0) {
          throw unterminated(sourceName, line, "quoted identifier");
        }
      } else if (c == '$') {
        String tag = dollarTag(text, i);
        if (tag != null) {
          int close = text.indexOf(tag, i + tag.length());
          if (close < 0) {
            throw unterminated(sourceName, line, "dollar-quoted string " + tag);
          }
          end = close + tag.length();
        }
      }
      current.append(text, i, end);
      line += count(text, i, end, '\n');
      i = end;
    }
    addStatement(statements, current, statementLine, metadata);
    return new MigrationScript(sourceName, statements);
  }

  private static void addStatement(
      List<SqlStatement> statements, StringBuilder current, int line, Map<String, Object> metadata) {
    String sql = current.toString().strip();
    if (!sql.isEmpty()) {
      statements.add(new SqlStatement(line, sql, metadata));
    }
  }

  private static int endOfQuoted(String text, int start, char quote, boolean backslashEscapes) {
    int i = start + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
        continue;
      }
      if (c == quote) {
        if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return -1;
  }

  /** {@code $$} or {@code $tag$} at position i, or null when the dollar is something else ($1). */
  private static String dollarTag(String text, int i) {
    if (i > 0 && (Character.isLetterOrDigit(text.charAt(i - 1)) || text.charAt(i - 1) == '_')) {
      return null;
    }
    int j = i + 1;
    while (j < text.length()
        && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
      if (j == i + 1 && Character.isDigit(text.charAt(j))) {
        return null;
      }
      j++;
    }
    if (j < text.length() && text.charAt(j) == '$') {
      return text.substring(i, j + 1);
    }
    return null;
  }

  private static Map<String, Object> parseMetadata(String sourceName, int line, String json) {
    try {
      Map<String, Object> parsed =
          JSON.readValue(json.strip(), new TypeReference<LinkedHashMap<String, Object>>() {});
      return parsed == null ? Map.of() : parsed;
    } catch (JsonProcessingException e) {
      throw ZdmException.badInput(
          sourceName
              + ":"
              + line
              + ": malformed @metadata annotation: expected a JSON object after '@metadata' ("
              + e.getOriginalMessage()
              + ")");
    }
  }

  private static ZdmException unterminated(String sourceName, int line, String what) {
    return ZdmException.badInput(sourceName + ":" + line + ": unterminated " + what);
  }

  private static int lineOf(String text, int index) {
    return 1 + count(text, 0, index, '\n');
  }

  private static int count(String text, int from, int to, char c) {
    int count = 0;
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == c) {
        count++;
      }
    }
    return count;
  }
}
