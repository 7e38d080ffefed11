package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.analysis.ActionDetail.Partition;
import dev.zdm.analysis.ActionDetail.Setting;
import dev.zdm.analysis.ActionDetail.TableDefinition;
import dev.zdm.analysis.SqlToken.Type;
import dev.zdm.model.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one statement into the {@link Action}s it performs. DML goes through JSqlParser (see
 * {@link DataChangeReader}); DDL is read structurally from PostgreSQL tokens, because generic
 * parsers reject much valid PostgreSQL DDL (docs/decisions/0100-structural-ddl-reader.md).
 * Text that is not PostgreSQL raises {@link InvalidSqlException} with its line and the reason.
 */
public final class StatementClassifier {

  /** The actions of one statement, in the order the statement performs them. */
  public List<Action> classify(SqlStatement statement) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(statement.sql(), statement.line());
    TokenSyntaxCheck.check(tokens, statement.line());
    if (tokens.isEmpty()) {
      return List.of();
    }
    SqlToken first = tokens.get(0);
    if (first.type() == Type.OTHER && first.text().equals("\\")) {
      throw new InvalidSqlException(first.line(),
          "psql meta-commands (\\" + (tokens.size() > 1 ? tokens.get(1).text() : "")
              + ") are not SQL; run the file with psql or remove them");
    }
    if (first.type() == Type.OPEN_PAREN) {
      return List.of(Action.of(ActionKind.SELECT));
    }
    if (!first.isWord() || !PostgresCommands.COMMANDS.contains(lower(first))) {
      throw new InvalidSqlException(first.line(),
          "syntax error at " + TokenCursor.describe(first) + ": not a PostgreSQL command");
    }
    TokenCursor cursor = new TokenCursor(statement.sql(), tokens, statement.line());
    cursor.next();
    return switch (lower(first)) {
      case "alter" -> alter(cursor);
      case "create" -> create(cursor);
      case "drop" -> drop(cursor);
      case "truncate" -> truncate(cursor);
      case "reindex" -> reindex(cursor);
      case "vacuum" -> vacuum(cursor);
      case "cluster" -> cluster(cursor);
      case "update", "delete", "insert", "merge", "with" ->
          DataChangeReader.read(statement, tokens);
      case "comment" -> comment(cursor);
      case "set", "reset" -> set(cursor);
      case "begin", "start" -> List.of(Action.of(ActionKind.TRANSACTION_BEGIN));
      case "commit", "end", "rollback", "abort" -> List.of(Action.of(ActionKind.TRANSACTION_END));
      case "do" -> List.of(DoBlockReader.read(cursor, this));
      case "refresh" -> refresh(cursor);
      case "lock" -> lock(cursor);
      case "select", "values", "table", "show", "explain", "analyze", "analyse" ->
          List.of(Action.of(ActionKind.SELECT));
      default -> List.of(Action.of(ActionKind.OTHER_DDL));
    };
  }

  private List<Action> alter(TokenCursor cursor) {
    if (cursor.accept("table")) {
      if (cursor.peekIs("all")) {
        return List.of(Action.of(ActionKind.OTHER_DDL));
      }
      return AlterTableReader.read(cursor);
    }
    if (cursor.accept("type")) {
      TableRef type = cursor.qualifiedName("a type name");
      if (cursor.accept("add", "value")) {
        return List.of(new Action(ActionKind.ENUM_ADD_VALUE, null, null,
            new Setting(type.displayName(), cursor.rest())));
      }
      return List.of(Action.of(ActionKind.OTHER_DDL));
    }
    requireObjectType(cursor, "ALTER");
    return List.of(Action.of(ActionKind.OTHER_DDL));
  }

  private List<Action> create(TokenCursor cursor) {
    int start = cursor.position();
    boolean unique = false;
    while (cursor.peek() != null && cursor.peek().isWord()
        && PostgresCommands.CREATE_MODIFIERS.contains(lower(cursor.peek()))
        && !(cursor.peekIs("default") || cursor.peekIs("constraint"))) {
      unique |= cursor.peekIs("unique");
      cursor.next();
    }
    if (cursor.accept("index")) {
      return List.of(createIndex(cursor, unique));
    }
    if (cursor.accept("table")) {
      return List.of(createTable(cursor));
    }
    if (cursor.accept("materialized", "view")) {
      // A new relation with storage, filled by its query: like CREATE TABLE ... AS.
      cursor.accept("if", "not", "exists");
      TableRef view = cursor.qualifiedName("a materialized view name");
      cursor.skipToEnd();
      return List.of(Action.of(ActionKind.CREATE_TABLE_AS, view));
    }
    if (cursor.accept("trigger") || cursor.accept("constraint", "trigger")) {
      cursor.name("a trigger name");
      cursor.skipPast("on");
      TableRef table = cursor.qualifiedName("a table name");
      return List.of(Action.of(ActionKind.CREATE_TRIGGER, table));
    }
    if (cursor.position() == start || !cursor.peekIs("default")) {
      requireObjectType(cursor, "CREATE");
    }
    return List.of(Action.of(ActionKind.OTHER_DDL));
  }

  private static Action createIndex(TokenCursor cursor, boolean unique) {
    boolean concurrently = cursor.accept("concurrently");
    cursor.accept("if", "not", "exists");
    String name = cursor.peekIs("on") ? null : cursor.name("an index name");
    int definitionStart = cursor.position();
    cursor.expect("on", "in CREATE INDEX");
    boolean only = cursor.accept("only");
    TableRef table = cursor.qualifiedName("a table name");
    if (!cursor.accept("using")) {
      if (!cursor.peekIs(Type.OPEN_PAREN)) {
        throw cursor.invalid("expected the indexed columns in parentheses after the table name");
      }
    } else {
      cursor.name("an index method");
    }
    cursor.skipToEnd();
    String definition = cursor.textFrom(definitionStart);
    ActionKind kind = concurrently ? ActionKind.CREATE_INDEX_CONCURRENTLY
        : only ? ActionKind.CREATE_INDEX_ON_ONLY : ActionKind.CREATE_INDEX;
    return new Action(kind, table, null, new Index(name, unique, definition));
  }

  private static Action createTable(TokenCursor cursor) {
    cursor.accept("if", "not", "exists");
    TableRef table = cursor.qualifiedName("a table name");
    if (cursor.accept("partition", "of")) {
      TableRef parent = cursor.qualifiedName("a parent table");
      cursor.skipToEnd();
      return new Action(ActionKind.CREATE_PARTITION, table, null, new Partition(parent));
    }
    if (cursor.peekIs("as") || cursor.peekIs("of") || asFollows(cursor)) {
      cursor.skipToEnd();
      return Action.of(ActionKind.CREATE_TABLE_AS, table);
    }
    if (cursor.peekIs(Type.OPEN_PAREN) && columnNamesOnly(cursor)) {
      cursor.parenthesized();
      if (asFollows(cursor)) {
        cursor.skipToEnd();
        return Action.of(ActionKind.CREATE_TABLE_AS, table);
      }
      throw cursor.invalid("expected AS and a query after CREATE TABLE " + table.displayName()
          + " (names) but found " + TokenCursor.describe(cursor.peek()));
    }
    if (!cursor.peekIs(Type.OPEN_PAREN)) {
      throw cursor.invalid("expected '(' and the column list after CREATE TABLE "
          + table.displayName() + " but found " + TokenCursor.describe(cursor.peek()));
    }
    boolean partitioned = partitionByAfterList(cursor);
    cursor.next();
    List<ColumnDefinition> columns = new ArrayList<>();
    List<TableRef> references = new ArrayList<>();
    while (!cursor.atEnd() && !cursor.peekIs(Type.CLOSE_PAREN)) {
      List<SqlToken> element = cursor.untilComma();
      if (cursor.peekIs(Type.COMMA)) {
        cursor.next();
      }
      List<SqlToken> inside = trimClosing(element);
      if (inside.isEmpty()) {
        continue;
      }
      SqlToken head = inside.get(0);
      if (DefinitionReader.startsTableConstraint(head)) {
        ConstraintDefinition constraint = DefinitionReader.constraint(cursor, inside);
        if (constraint.referencedTable() != null) {
          references.add(constraint.referencedTable());
        }
      } else if (head.is("like")) {
        continue;
      } else {
        ColumnDefinition column = DefinitionReader.column(cursor, inside);
        columns.add(column);
        if (column.referencedTable() != null) {
          references.add(column.referencedTable());
        }
      }
      if (inside.size() != element.size()) {
        break;
      }
    }
    cursor.skipToEnd();
    return new Action(ActionKind.CREATE_TABLE, table, null,
        new TableDefinition(List.copyOf(columns), List.copyOf(references), partitioned));
  }

  /**
   * True when, after the table's options (USING, WITH (...), ON COMMIT ..., TABLESPACE), AS and a
   * query follow: CREATE TABLE ... AS. Moves past the options only when it is.
   */
  private static boolean asFollows(TokenCursor cursor) {
    int ahead = 0;
    while (cursor.peek(ahead) != null) {
      SqlToken token = cursor.peek(ahead);
      if (token.is("as")) {
        for (int i = 0; i < ahead; i++) {
          cursor.next();
        }
        return true;
      }
      if (token.is("using") || token.is("tablespace")) {
        ahead += 2;
      } else if (token.is("with") || token.is("without")) {
        ahead++;
        if (cursor.peek(ahead) != null && cursor.peek(ahead).type() == Type.OPEN_PAREN) {
          ahead = skipGroup(cursor, ahead);
        } else {
          ahead++;
        }
      } else if (token.is("on") && cursor.peek(ahead + 1) != null
          && cursor.peek(ahead + 1).is("commit")) {
        ahead += 2;
        while (cursor.peek(ahead) != null && (cursor.peek(ahead).is("drop")
            || cursor.peek(ahead).is("delete") || cursor.peek(ahead).is("preserve")
            || cursor.peek(ahead).is("rows"))) {
          ahead++;
        }
      } else {
        return false;
      }
    }
    return false;
  }

  /** PARTITION BY after the column list that starts at the cursor. */
  private static boolean partitionByAfterList(TokenCursor cursor) {
    int afterList = skipGroup(cursor, 0);
    for (int i = afterList; cursor.peek(i + 1) != null; i++) {
      if (cursor.peek(i).is("partition") && cursor.peek(i + 1).is("by")) {
        return true;
      }
    }
    return false;
  }

  private static int skipGroup(TokenCursor cursor, int at) {
    int depth = 0;
    int i = at;
    while (cursor.peek(i) != null) {
      Type type = cursor.peek(i).type();
      if (type == Type.OPEN_PAREN) {
        depth++;
      } else if (type == Type.CLOSE_PAREN && --depth == 0) {
        return i + 1;
      }
      i++;
    }
    return i;
  }

  /** {@code (a, b, c)} with bare names only: the column names of CREATE TABLE ... AS. */
  private static boolean columnNamesOnly(TokenCursor cursor) {
    int i = 1;
    while (cursor.peek(i) != null && cursor.peek(i).isName()) {
      SqlToken after = cursor.peek(i + 1);
      if (after == null) {
        return false;
      }
      if (after.type() == Type.CLOSE_PAREN) {
        return !DefinitionReader.startsTableConstraint(cursor.peek(i));
      }
      if (after.type() != Type.COMMA) {
        return false;
      }
      i += 2;
    }
    return false;
  }

  /** The last element of a CREATE TABLE list runs up to the closing parenthesis: drop it. */
  private static List<SqlToken> trimClosing(List<SqlToken> element) {
    int depth = 0;
    for (int i = 0; i < element.size(); i++) {
      Type type = element.get(i).type();
      if (type == Type.OPEN_PAREN) {
        depth++;
      } else if (type == Type.CLOSE_PAREN) {
        if (depth == 0) {
          return element.subList(0, i);
        }
        depth--;
      }
    }
    return element;
  }

  private List<Action> drop(TokenCursor cursor) {
    if (cursor.accept("table")) {
      cursor.accept("if", "exists");
      List<Action> actions = new ArrayList<>();
      do {
        actions.add(Action.of(ActionKind.DROP_TABLE, cursor.qualifiedName("a table name")));
      } while (cursor.peekIs(Type.COMMA) && cursor.next() != null);
      return actions;
    }
    if (cursor.accept("index")) {
      boolean concurrently = cursor.accept("concurrently");
      cursor.accept("if", "exists");
      TableRef index = cursor.qualifiedName("an index name");
      cursor.skipToEnd();
      return List.of(new Action(
          concurrently ? ActionKind.DROP_INDEX_CONCURRENTLY : ActionKind.DROP_INDEX,
          index, null, new Index(index.name(), false, index.displayName())));
    }
    if (cursor.accept("trigger")) {
      cursor.accept("if", "exists");
      cursor.name("a trigger name");
      cursor.expect("on", "in DROP TRIGGER");
      return List.of(Action.of(ActionKind.DROP_TRIGGER, cursor.qualifiedName("a table name")));
    }
    requireObjectType(cursor, "DROP");
    return List.of(Action.of(ActionKind.OTHER_DDL));
  }

  private static List<Action> truncate(TokenCursor cursor) {
    cursor.accept("table");
    List<Action> actions = new ArrayList<>();
    do {
      cursor.accept("only");
      actions.add(Action.of(ActionKind.TRUNCATE, cursor.qualifiedName("a table name")));
      if (cursor.peek() != null && cursor.peek().text().equals("*")) {
        cursor.next();
      }
    } while (cursor.peekIs(Type.COMMA) && cursor.next() != null);
    return actions;
  }

  private static List<Action> reindex(TokenCursor cursor) {
    String options = cursor.parenthesized();
    boolean concurrently = options != null && options.toLowerCase(Locale.ROOT).contains("concurrently");
    boolean onTable = cursor.accept("table");
    boolean onIndex = !onTable && cursor.accept("index");
    if (!onTable && !onIndex) {
      if (!(cursor.accept("schema") || cursor.accept("database") || cursor.accept("system"))) {
        throw cursor.invalid("expected INDEX, TABLE, SCHEMA, DATABASE or SYSTEM after REINDEX");
      }
    }
    concurrently |= cursor.accept("concurrently");
    ActionKind kind = concurrently ? ActionKind.REINDEX_CONCURRENTLY : ActionKind.REINDEX;
    if (cursor.atEnd()) {
      return List.of(Action.of(kind));
    }
    TableRef name = cursor.qualifiedName("a name");
    if (onTable) {
      return List.of(Action.of(kind, name));
    }
    return List.of(new Action(kind, name, null,
        new Index(name.name(), false, name.displayName())));
  }

  private static List<Action> vacuum(TokenCursor cursor) {
    String options = cursor.parenthesized();
    boolean full = options != null && options.toLowerCase(Locale.ROOT).matches("(?s).*\\bfull\\b(?!\\s+(false|off|0)).*");
    full |= cursor.accept("full");
    cursor.accept("freeze");
    cursor.accept("verbose");
    cursor.accept("analyze");
    ActionKind kind = full ? ActionKind.VACUUM_FULL : ActionKind.VACUUM;
    if (cursor.atEnd()) {
      return List.of(Action.of(kind));
    }
    return List.of(Action.of(kind, cursor.qualifiedName("a table name")));
  }

  private static List<Action> cluster(TokenCursor cursor) {
    cursor.parenthesized();
    cursor.accept("verbose");
    if (cursor.atEnd()) {
      return List.of(Action.of(ActionKind.CLUSTER));
    }
    return List.of(Action.of(ActionKind.CLUSTER, cursor.qualifiedName("a table name")));
  }

  private static List<Action> comment(TokenCursor cursor) {
    cursor.expect("on", "after COMMENT");
    if (cursor.accept("table")) {
      return List.of(Action.of(ActionKind.COMMENT, cursor.qualifiedName("a table name")));
    }
    if (cursor.accept("column")) {
      // table.column or schema.table.column: the column's table keeps its schema.
      List<String> parts = cursor.dottedName("a column name");
      int n = parts.size();
      TableRef table = n < 2 ? null : new TableRef(n >= 3 ? parts.get(n - 3) : null, parts.get(n - 2));
      return List.of(new Action(ActionKind.COMMENT, table, parts.get(n - 1), null));
    }
    return List.of(Action.of(ActionKind.COMMENT));
  }

  private static List<Action> set(TokenCursor cursor) {
    cursor.accept("session");
    cursor.accept("local");
    if (cursor.atEnd() || !cursor.peek().isName()) {
      return List.of(Action.of(ActionKind.SET_SESSION));
    }
    String name = cursor.name("a setting");
    if (!cursor.accept("to") && cursor.peek() != null && cursor.peek().text().equals("=")) {
      cursor.next();
    }
    ActionKind kind = name.equals("lock_timeout") ? ActionKind.SET_LOCK_TIMEOUT : ActionKind.SET_SESSION;
    return List.of(new Action(kind, null, null, new Setting(name, cursor.rest())));
  }

  private static List<Action> refresh(TokenCursor cursor) {
    cursor.expect("materialized", "after REFRESH");
    cursor.expect("view", "after REFRESH MATERIALIZED");
    boolean concurrently = cursor.accept("concurrently");
    TableRef view = cursor.qualifiedName("a materialized view name");
    return List.of(Action.of(concurrently ? ActionKind.REFRESH_MATERIALIZED_VIEW_CONCURRENTLY
        : ActionKind.REFRESH_MATERIALIZED_VIEW, view));
  }

  private static List<Action> lock(TokenCursor cursor) {
    cursor.accept("table");
    cursor.accept("only");
    TableRef table = cursor.qualifiedName("a table name");
    return List.of(new Action(ActionKind.LOCK_TABLE, table, null,
        new Setting("mode", cursor.rest())));
  }

  private static void requireObjectType(TokenCursor cursor, String command) {
    SqlToken word = cursor.peek();
    if (word == null || !word.isWord() || !PostgresCommands.OBJECT_TYPES.contains(lower(word))) {
      throw cursor.invalid("syntax error at " + TokenCursor.describe(word) + ": " + command
          + " of an unknown object type");
    }
  }

  private static String lower(SqlToken token) {
    return token.text().toLowerCase(Locale.ROOT);
  }
}
