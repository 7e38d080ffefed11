package dev.zdm.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.analysis.SqlToken.Type;
import dev.zdm.error.ZdmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits PostgreSQL text into statements the way psql does: a semicolon ends a statement except
 * inside quotes, dollar quotes, comments, parentheses and the {@code BEGIN ATOMIC ... END} body of
 * a SQL-standard function (psql's own heuristic: only in CREATE [OR REPLACE] FUNCTION/PROCEDURE).
 * Also collects {@code -- @metadata {...}} annotations; an annotation applies to the statements
 * after it until the next one.
 */
public final class SqlSplitter {
  private static final String METADATA_MARKER = "@metadata";
  private static final ObjectMapper JSON = new ObjectMapper();

  public MigrationScript split(String sourceName, String text) {
    List<SqlToken> tokens;
    try {
      tokens = SqlTokenizer.tokenizeWithComments(text);
    } catch (InvalidSqlException e) {
      throw ZdmException.badInput(e.located(sourceName));
    }
    List<SqlStatement> statements = new ArrayList<>();
    Map<String, Object> metadata = Map.of();
    StatementBoundary boundary = new StatementBoundary();
    SqlToken first = null;
    SqlToken last = null;
    for (SqlToken token : tokens) {
      if (token.type() == Type.LINE_COMMENT) {
        String comment = token.text().substring(2).strip();
        if (comment.startsWith(METADATA_MARKER)) {
          metadata =
              parseMetadata(sourceName, token.line(), comment.substring(METADATA_MARKER.length()));
        }
        continue;
      }
      if (token.type() == Type.SEMICOLON && boundary.endsStatement()) {
        if (first != null) {
          statements.add(statement(text, first, last, metadata));
        }
        first = null;
        last = null;
        boundary = new StatementBoundary();
        continue;
      }
      boundary.see(token);
      if (first == null) {
        first = token;
      }
      last = token;
    }
    if (first != null) {
      statements.add(statement(text, first, last, metadata));
    }
    return new MigrationScript(sourceName, statements);
  }

  private static SqlStatement statement(
      String text, SqlToken first, SqlToken last, Map<String, Object> metadata) {
    return new SqlStatement(first.line(), text.substring(first.start(), last.end()), metadata);
  }

  /** psql's rule for where a semicolon ends a statement (psqlscan.l). */
  private static final class StatementBoundary {
    private final char[] leadingWords = new char[4];
    private int wordCount;
    private int parenDepth;
    private int beginDepth;

    void see(SqlToken token) {
      switch (token.type()) {
        case OPEN_PAREN -> parenDepth++;
        case CLOSE_PAREN -> parenDepth = Math.max(0, parenDepth - 1);
        case WORD -> seeWord(token);
        default -> {}
      }
    }

    private void seeWord(SqlToken token) {
      String word = token.text();
      if (wordCount < leadingWords.length
          && (token.is("create") || token.is("function") || token.is("procedure")
              || token.is("or") || token.is("replace"))) {
        leadingWords[wordCount] = Character.toLowerCase(word.charAt(0));
      }
      wordCount++;
      if (!isFunctionDefinition() || parenDepth != 0) {
        return;
      }
      if (token.is("begin")) {
        beginDepth++;
      } else if (token.is("case") && beginDepth >= 1) {
        beginDepth++;
      } else if (token.is("end") && beginDepth > 0) {
        beginDepth--;
      }
    }

    private boolean isFunctionDefinition() {
      return leadingWords[0] == 'c'
          && (leadingWords[1] == 'f'
              || leadingWords[1] == 'p'
              || (leadingWords[1] == 'o'
                  && leadingWords[2] == 'r'
                  && (leadingWords[3] == 'f' || leadingWords[3] == 'p')));
    }

    boolean endsStatement() {
      return parenDepth == 0 && beginDepth == 0;
    }
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
}
