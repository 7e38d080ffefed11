package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.Body;
import dev.zdm.analysis.SqlToken.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Looks inside a {@code DO $$ ... $$} block for the DDL and DML it runs, so an {@code IF NOT EXISTS
 * ... THEN ALTER TABLE ...} block is judged by its ALTER TABLE. PL/pgSQL control words are skipped;
 * a statement that only PL/pgSQL understands is ignored rather than reported as invalid.
 */
final class DoBlockReader {
  private static final Set<String> ANALYZED_COMMANDS =
      Set.of("alter", "create", "drop", "update", "delete", "truncate", "reindex", "cluster",
          "vacuum", "insert", "lock", "refresh");
  private static final Set<String> CONTROL_WORDS =
      Set.of("then", "else", "loop", "begin", "declare", "elsif", "elseif");

  private DoBlockReader() {}

  /** The cursor stands after DO. */
  static Action read(TokenCursor cursor, StatementClassifier classifier) {
    SqlToken body = null;
    while (!cursor.atEnd()) {
      SqlToken token = cursor.next();
      if (token.type() == Type.STRING) {
        body = token;
      }
    }
    if (body == null) {
      throw cursor.invalid("DO needs a body in quotes or dollar quotes");
    }
    List<Action> inner = new ArrayList<>();
    String code = body.stringValue();
    int bodyLine = body.line();
    List<SqlToken> tokens;
    try {
      tokens = SqlTokenizer.tokenize(code, bodyLine);
    } catch (InvalidSqlException e) {
      return new Action(ActionKind.DO_BLOCK, null, null, new Body(List.of(), false));
    }
    boolean commits = false;
    int chunkStart = 0;
    for (int i = 0; i <= tokens.size(); i++) {
      if (i < tokens.size() && (tokens.get(i).is("commit") || tokens.get(i).is("rollback"))
          && (i == 0 || tokens.get(i - 1).type() == Type.SEMICOLON
              || CONTROL_WORDS.contains(tokens.get(i - 1).text().toLowerCase(Locale.ROOT)))) {
        commits = true;
      }
      if (i == tokens.size() || tokens.get(i).type() == Type.SEMICOLON) {
        analyzeChunk(code, tokens.subList(chunkStart, i), classifier, inner);
        chunkStart = i + 1;
      }
    }
    return new Action(ActionKind.DO_BLOCK, null, null, new Body(List.copyOf(inner), commits));
  }

  private static void analyzeChunk(
      String code, List<SqlToken> chunk, StatementClassifier classifier, List<Action> inner) {
    int start = 0;
    int depth = 0;
    for (int i = 0; i < chunk.size(); i++) {
      SqlToken token = chunk.get(i);
      if (token.type() == Type.OPEN_PAREN) {
        depth++;
      } else if (token.type() == Type.CLOSE_PAREN) {
        depth--;
      } else if (depth == 0 && token.isWord()
          && CONTROL_WORDS.contains(token.text().toLowerCase(Locale.ROOT))) {
        start = i + 1;
      }
    }
    if (start >= chunk.size()) {
      return;
    }
    SqlToken head = chunk.get(start);
    if (!head.isWord() || !ANALYZED_COMMANDS.contains(head.text().toLowerCase(Locale.ROOT))) {
      return;
    }
    String sql = code.substring(head.start(), chunk.get(chunk.size() - 1).end());
    try {
      inner.addAll(classifier.classify(new SqlStatement(head.line(), sql, null)));
    } catch (InvalidSqlException e) {
      // PL/pgSQL variables and syntax can confuse the SQL reader; the server checks the block.
    }
  }
}
