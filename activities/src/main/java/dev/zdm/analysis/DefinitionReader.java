package dev.zdm.analysis;

import dev.zdm.analysis.SqlToken.Type;
import dev.zdm.model.TableRef;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Reads column and table-constraint definitions, as in CREATE TABLE and ALTER TABLE ... ADD. */
final class DefinitionReader {
  /** Words that end a column's data type and start its constraints. */
  private static final Set<String> COLUMN_CONSTRAINT_WORDS =
      Set.of(
          "constraint", "not", "null", "default", "primary", "unique", "check", "references",
          "generated", "collate", "deferrable", "initially", "compression", "storage");

  private static final Set<String> TABLE_CONSTRAINT_WORDS =
      Set.of("constraint", "check", "unique", "primary", "foreign", "exclude");

  private static final Set<String> SERIAL_TYPES =
      Set.of("serial", "bigserial", "smallserial", "serial2", "serial4", "serial8");

  /**
   * Functions a column default may call without forcing a rewrite (immutable or stable; PostgreSQL
   * evaluates them once). Any other call is assumed volatile: user functions are VOLATILE unless
   * declared otherwise, and a wrong "no rewrite" is the worse mistake.
   */
  private static final Set<String> NON_VOLATILE_FUNCTIONS =
      Set.of(
          "now", "current_timestamp", "current_date", "current_time", "localtimestamp",
          "localtime", "transaction_timestamp", "statement_timestamp", "timezone", "lower",
          "upper", "coalesce", "nullif", "greatest", "least", "to_jsonb", "to_json",
          "jsonb_build_object", "json_build_object", "jsonb_build_array", "json_build_array",
          "array", "make_interval", "make_date", "to_timestamp", "to_date", "date_trunc",
          "concat", "length", "abs", "round", "current_user", "session_user", "current_setting",
          "md5", "row", "cast");

  private DefinitionReader() {}

  static boolean startsTableConstraint(SqlToken token) {
    return token != null
        && token.isWord()
        && TABLE_CONSTRAINT_WORDS.contains(token.text().toLowerCase(Locale.ROOT));
  }

  /** A column definition from the tokens of one comma-separated element. */
  static ColumnDefinition column(TokenCursor statement, List<SqlToken> element) {
    TokenCursor cursor = new TokenCursor(statement.textOf(element), relocate(element), line(element));
    String name = cursor.name("a column name");
    int typeStart = cursor.position();
    int depth = 0;
    while (!cursor.atEnd()) {
      SqlToken token = cursor.peek();
      if (depth == 0 && token.isWord()
          && COLUMN_CONSTRAINT_WORDS.contains(token.text().toLowerCase(Locale.ROOT))) {
        break;
      }
      if (token.type() == Type.OPEN_PAREN) {
        depth++;
      } else if (token.type() == Type.CLOSE_PAREN) {
        depth--;
      }
      cursor.next();
    }
    String type = cursor.textFrom(typeStart);
    if (type.isEmpty()) {
      throw cursor.invalid("column \"" + name + "\" has no data type");
    }
    DataTypeSyntax.check(cursor.tokensFrom(typeStart));
    String lowerType = type.toLowerCase(Locale.ROOT);
    boolean identity = SERIAL_TYPES.contains(lowerType);
    boolean notNull = false;
    boolean indexed = false;
    boolean generatedStored = false;
    boolean hasCheck = false;
    String defaultExpression = null;
    TableRef referenced = null;
    while (!cursor.atEnd()) {
      if (cursor.accept("not", "null")) {
        notNull = true;
      } else if (cursor.accept("primary", "key")) {
        indexed = true;
        notNull = true;
      } else if (cursor.accept("unique")) {
        indexed = true;
      } else if (cursor.accept("default")) {
        int start = cursor.position();
        skipExpression(cursor);
        defaultExpression = cursor.textFrom(start);
      } else if (cursor.accept("references")) {
        referenced = cursor.qualifiedName("a referenced table");
      } else if (cursor.accept("check")) {
        hasCheck = true;
        cursor.parenthesized();
      } else if (cursor.accept("generated")) {
        if (cursor.skipPast("identity")) {
          identity = true;
        } else {
          generatedStored = true;
          cursor.skipPast("stored");
        }
      } else {
        cursor.next();
        cursor.parenthesized();
      }
    }
    boolean volatileDefault =
        defaultExpression != null && callsVolatileFunction(defaultExpression, line(element));
    return new ColumnDefinition(
        name, type, defaultExpression, volatileDefault, notNull, identity, generatedStored,
        indexed, referenced, hasCheck);
  }

  /** A table constraint ({@code [CONSTRAINT name] CHECK|UNIQUE|PRIMARY KEY|FOREIGN KEY|EXCLUDE}). */
  static ConstraintDefinition constraint(TokenCursor statement, List<SqlToken> element) {
    TokenCursor cursor = new TokenCursor(statement.textOf(element), relocate(element), line(element));
    String name = null;
    if (cursor.accept("constraint")) {
      name = cursor.name("a constraint name");
    }
    int definitionStart = cursor.position();
    ConstraintDefinition.Type type;
    String notNullColumn = null;
    String usingIndex = null;
    String columns = null;
    TableRef referenced = null;
    if (cursor.accept("check")) {
      type = ConstraintDefinition.Type.CHECK;
      String body = cursor.parenthesized();
      if (body == null) {
        throw cursor.invalid("CHECK needs a parenthesised condition");
      }
      notNullColumn = isNotNullCheck(body, cursor.line());
    } else if (cursor.accept("unique") || (cursor.accept("primary", "key"))) {
      type =
          statementWord(cursor, definitionStart).equals("unique")
              ? ConstraintDefinition.Type.UNIQUE
              : ConstraintDefinition.Type.PRIMARY_KEY;
      cursor.accept("nulls", "not", "distinct");
      cursor.accept("nulls", "distinct");
      if (cursor.accept("using", "index")) {
        usingIndex = cursor.name("an index name");
      } else {
        columns = cursor.parenthesized();
        if (columns == null) {
          throw cursor.invalid("expected a column list after " + type.name().replace('_', ' '));
        }
      }
    } else if (cursor.accept("foreign", "key")) {
      type = ConstraintDefinition.Type.FOREIGN_KEY;
      columns = cursor.parenthesized();
      cursor.expect("references", "after FOREIGN KEY (...)");
      referenced = cursor.qualifiedName("a referenced table");
    } else if (cursor.accept("exclude")) {
      type = ConstraintDefinition.Type.EXCLUDE;
    } else {
      throw cursor.invalid(
          "expected CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY or EXCLUDE but found "
              + TokenCursor.describe(cursor.peek()));
    }
    boolean notValid = false;
    while (!cursor.atEnd()) {
      if (cursor.accept("not", "valid")) {
        notValid = true;
      } else {
        cursor.next();
      }
    }
    String definition = cursor.textFrom(definitionStart);
    return new ConstraintDefinition(
        name, type, definition, notValid, notNullColumn, usingIndex, referenced, columns);
  }

  private static String statementWord(TokenCursor cursor, int position) {
    return cursor.textFrom(position).split("\\s+")[0].toLowerCase(Locale.ROOT);
  }

  /** {@code col IS NOT NULL}, possibly in extra parentheses: the column; else null. */
  private static String isNotNullCheck(String body, int line) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(body, line);
    List<SqlToken> inner = tokens;
    while (inner.size() >= 2
        && inner.get(0).type() == Type.OPEN_PAREN
        && inner.get(inner.size() - 1).type() == Type.CLOSE_PAREN) {
      inner = inner.subList(1, inner.size() - 1);
    }
    if (inner.size() == 4
        && inner.get(0).isName()
        && inner.get(1).is("is")
        && inner.get(2).is("not")
        && inner.get(3).is("null")) {
      return inner.get(0).identifier();
    }
    return null;
  }

  /** Skips an expression up to the next column-constraint word at depth 0. */
  private static void skipExpression(TokenCursor cursor) {
    int depth = 0;
    while (!cursor.atEnd()) {
      SqlToken token = cursor.peek();
      if (depth == 0 && token.isWord()
          && COLUMN_CONSTRAINT_WORDS.contains(token.text().toLowerCase(Locale.ROOT))
          && !token.is("null")) {
        return;
      }
      if (depth == 0 && token.is("not") && cursor.peek(1) != null && cursor.peek(1).is("null")) {
        return;
      }
      if (token.type() == Type.OPEN_PAREN) {
        depth++;
      } else if (token.type() == Type.CLOSE_PAREN) {
        depth--;
      }
      cursor.next();
    }
  }

  /** True when the expression calls a function not known to be stable or immutable. */
  static boolean callsVolatileFunction(String expression, int line) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(expression, line);
    for (int i = 0; i + 1 < tokens.size(); i++) {
      SqlToken token = tokens.get(i);
      boolean call = token.isName() && tokens.get(i + 1).type() == Type.OPEN_PAREN;
      boolean afterCast = i > 0 && tokens.get(i - 1).text().equals("::");
      boolean qualified = i > 0 && tokens.get(i - 1).type() == Type.DOT;
      if (call && !afterCast && !NON_VOLATILE_FUNCTIONS.contains(token.identifier())
          && !isTypeName(token.identifier()) && !(qualified && isTypeName(token.identifier()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTypeName(String word) {
    return Set.of("varchar", "numeric", "decimal", "char", "character", "timestamp", "interval",
            "bit", "time", "timestamptz", "float")
        .contains(word);
  }

  /** Tokens of an element re-based so offsets index into the element's own text. */
  private static List<SqlToken> relocate(List<SqlToken> element) {
    if (element.isEmpty()) {
      return element;
    }
    int base = element.get(0).start();
    return element.stream()
        .map(t -> new SqlToken(t.type(), t.text(), t.line(), t.start() - base, t.end() - base))
        .toList();
  }

  private static int line(List<SqlToken> element) {
    return element.isEmpty() ? 0 : element.get(0).line();
  }
}
