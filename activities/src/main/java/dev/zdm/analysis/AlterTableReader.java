package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.ConstraintName;
import dev.zdm.analysis.ActionDetail.NewName;
import dev.zdm.analysis.ActionDetail.Partition;
import dev.zdm.analysis.ActionDetail.TypeChange;
import dev.zdm.analysis.SqlToken.Type;
import dev.zdm.model.TableRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code ALTER TABLE [IF EXISTS] [ONLY] name [*] clause [, ...]} into one {@link Action}
 * per clause, following the clause list of the PostgreSQL 12-17 manual page for ALTER TABLE.
 * A clause it does not know is an error: PostgreSQL would refuse it too.
 */
final class AlterTableReader {
  private AlterTableReader() {}

  /** The cursor stands just after {@code ALTER TABLE}. */
  static List<Action> read(TokenCursor cursor) {
    cursor.accept("if", "exists");
    cursor.accept("only");
    TableRef table = cursor.qualifiedName("a table name");
    if (cursor.peek() != null && cursor.peek().text().equals("*")) {
      cursor.next();
    }
    if (cursor.atEnd()) {
      throw cursor.invalid("ALTER TABLE " + table.displayName() + " has no action");
    }
    List<Action> actions = new ArrayList<>();
    while (true) {
      actions.add(clause(cursor, table));
      if (cursor.atEnd()) {
        return actions;
      }
      if (!cursor.peekIs(Type.COMMA)) {
        throw cursor.invalid("expected ',' or the end of the statement but found "
            + TokenCursor.describe(cursor.peek()));
      }
      cursor.next();
    }
  }

  private static Action clause(TokenCursor cursor, TableRef table) {
    int line = cursor.line();
    if (cursor.accept("add")) {
      return add(cursor, table);
    }
    if (cursor.accept("drop")) {
      return drop(cursor, table);
    }
    if (cursor.accept("alter")) {
      return alter(cursor, table);
    }
    if (cursor.accept("rename")) {
      return rename(cursor, table);
    }
    if (cursor.accept("validate", "constraint")) {
      return new Action(ActionKind.VALIDATE_CONSTRAINT, table, null,
          new ConstraintName(cursor.name("a constraint name")));
    }
    if (cursor.accept("set")) {
      return set(cursor, table);
    }
    if (cursor.accept("reset")) {
      cursor.parenthesized();
      return Action.of(ActionKind.SET_STORAGE_PARAMETERS, table);
    }
    if (cursor.accept("attach", "partition")) {
      TableRef partition = cursor.qualifiedName("a partition name");
      cursor.untilComma();
      return new Action(ActionKind.ATTACH_PARTITION, table, null, new Partition(partition));
    }
    if (cursor.accept("detach", "partition")) {
      TableRef partition = cursor.qualifiedName("a partition name");
      boolean concurrently = cursor.accept("concurrently");
      cursor.untilComma();
      return new Action(
          concurrently ? ActionKind.DETACH_PARTITION_CONCURRENTLY : ActionKind.DETACH_PARTITION,
          table, null, new Partition(partition));
    }
    SqlToken word = cursor.peek();
    if (word != null && (word.is("enable") || word.is("disable"))) {
      cursor.next();
      cursor.accept("replica");
      cursor.accept("always");
      boolean trigger = cursor.peekIs("trigger");
      cursor.untilComma();
      return Action.of(trigger ? ActionKind.ENABLE_DISABLE_TRIGGER : ActionKind.ALTER_TABLE_OTHER,
          table);
    }
    if (word != null && (word.is("owner") || word.is("cluster") || word.is("inherit")
        || word.is("no") || word.is("of") || word.is("not") || word.is("replica")
        || word.is("force"))) {
      cursor.untilComma();
      return Action.of(ActionKind.ALTER_TABLE_OTHER, table);
    }
    throw new InvalidSqlException(line,
        "unknown ALTER TABLE action " + TokenCursor.describe(word)
            + " (expected ADD, DROP, ALTER, RENAME, SET, VALIDATE CONSTRAINT, ATTACH/DETACH"
            + " PARTITION, ENABLE/DISABLE TRIGGER, OWNER TO, ...)");
  }

  private static Action add(TokenCursor cursor, TableRef table) {
    if (DefinitionReader.startsTableConstraint(cursor.peek())) {
      ConstraintDefinition constraint = DefinitionReader.constraint(cursor, cursor.untilComma());
      return new Action(ActionKind.ADD_CONSTRAINT, table, null, constraint);
    }
    cursor.accept("column");
    cursor.accept("if", "not", "exists");
    List<SqlToken> element = cursor.untilComma();
    if (element.isEmpty()) {
      throw cursor.invalid("ADD COLUMN needs a column name and a data type");
    }
    ColumnDefinition column = DefinitionReader.column(cursor, element);
    return new Action(ActionKind.ADD_COLUMN, table, column.name(), column);
  }

  private static Action drop(TokenCursor cursor, TableRef table) {
    if (cursor.accept("constraint")) {
      cursor.accept("if", "exists");
      String name = cursor.name("a constraint name");
      cursor.untilComma();
      return new Action(ActionKind.DROP_CONSTRAINT, table, null, new ConstraintName(name));
    }
    cursor.accept("column");
    cursor.accept("if", "exists");
    String column = cursor.name("a column name");
    cursor.accept("cascade");
    cursor.accept("restrict");
    return new Action(ActionKind.DROP_COLUMN, table, column, null);
  }

  private static Action rename(TokenCursor cursor, TableRef table) {
    if (cursor.accept("to")) {
      return new Action(ActionKind.RENAME_TABLE, table, null, new NewName(cursor.name("a new name")));
    }
    if (cursor.accept("constraint")) {
      String old = cursor.name("a constraint name");
      cursor.expect("to", "in RENAME CONSTRAINT");
      return new Action(ActionKind.RENAME_CONSTRAINT, table, old,
          new NewName(cursor.name("a new constraint name")));
    }
    cursor.accept("column");
    String column = cursor.name("a column name");
    cursor.expect("to", "in RENAME COLUMN");
    return new Action(ActionKind.RENAME_COLUMN, table, column,
        new NewName(cursor.name("a new column name")));
  }

  private static Action set(TokenCursor cursor, TableRef table) {
    if (cursor.accept("schema")) {
      cursor.name("a schema name");
      return Action.of(ActionKind.SET_SCHEMA, table);
    }
    if (cursor.accept("tablespace")) {
      cursor.name("a tablespace name");
      return Action.of(ActionKind.SET_TABLESPACE, table);
    }
    if (cursor.accept("logged")) {
      return Action.of(ActionKind.SET_LOGGED, table);
    }
    if (cursor.accept("unlogged")) {
      return Action.of(ActionKind.SET_UNLOGGED, table);
    }
    if (cursor.accept("access", "method")) {
      cursor.name("an access method");
      return Action.of(ActionKind.SET_TABLESPACE, table);
    }
    if (cursor.accept("without")) {
      cursor.untilComma();
      return Action.of(ActionKind.ALTER_TABLE_OTHER, table);
    }
    if (cursor.parenthesized() != null) {
      return Action.of(ActionKind.SET_STORAGE_PARAMETERS, table);
    }
    throw cursor.invalid("unknown ALTER TABLE ... SET form " + TokenCursor.describe(cursor.peek()));
  }

  private static Action alter(TokenCursor cursor, TableRef table) {
    if (cursor.accept("constraint")) {
      cursor.untilComma();
      return Action.of(ActionKind.ALTER_TABLE_OTHER, table);
    }
    cursor.accept("column");
    String column = cursor.name("a column name");
    int line = cursor.line();
    if (cursor.accept("type") || cursor.accept("set", "data", "type")) {
      int start = cursor.position();
      String using = null;
      List<SqlToken> rest = cursor.untilComma();
      int usingAt = -1;
      for (int i = 0; i < rest.size(); i++) {
        if (rest.get(i).is("using")) {
          usingAt = i;
          break;
        }
      }
      List<SqlToken> typeTokens = usingAt < 0 ? rest : rest.subList(0, usingAt);
      int collateAt = -1;
      for (int i = 0; i < typeTokens.size(); i++) {
        if (typeTokens.get(i).is("collate")) {
          collateAt = i;
          break;
        }
      }
      if (collateAt >= 0) {
        typeTokens = typeTokens.subList(0, collateAt);
      }
      if (usingAt >= 0) {
        List<SqlToken> expression = rest.subList(usingAt + 1, rest.size());
        // USING the column itself leaves its contents as they are: the same as no USING.
        boolean identity = expression.size() == 1 && expression.get(0).isName()
            && expression.get(0).identifier().equals(column);
        using = identity ? null : cursor.textOf(expression);
      }
      if (typeTokens.isEmpty() || start == cursor.position()) {
        throw new InvalidSqlException(line, "ALTER COLUMN " + column + " TYPE needs a data type");
      }
      DataTypeSyntax.check(typeTokens);
      return new Action(ActionKind.ALTER_COLUMN_TYPE, table, column,
          new TypeChange(cursor.textOf(typeTokens), using));
    }
    if (cursor.accept("set", "not", "null")) {
      return new Action(ActionKind.SET_NOT_NULL, table, column, null);
    }
    if (cursor.accept("drop", "not", "null")) {
      return new Action(ActionKind.DROP_NOT_NULL, table, column, null);
    }
    if (cursor.accept("set", "default")) {
      List<SqlToken> expression = cursor.untilComma();
      if (expression.isEmpty()) {
        throw new InvalidSqlException(line, "SET DEFAULT needs an expression");
      }
      return new Action(ActionKind.SET_DEFAULT, table, column, null);
    }
    if (cursor.accept("drop", "default")) {
      return new Action(ActionKind.DROP_DEFAULT, table, column, null);
    }
    if (cursor.accept("add", "generated")) {
      cursor.untilComma();
      return new Action(ActionKind.ADD_IDENTITY, table, column, null);
    }
    if (cursor.accept("set", "statistics") || cursor.peekIs("reset")
        || (cursor.peekIs("set") && cursor.peek(1) != null
            && cursor.peek(1).type() == Type.OPEN_PAREN)) {
      cursor.untilComma();
      return new Action(ActionKind.ALTER_COLUMN_STATISTICS, table, column, null);
    }
    SqlToken word = cursor.peek();
    if (word != null && (word.is("set") || word.is("drop") || word.is("restart"))) {
      cursor.untilComma();
      return new Action(ActionKind.ALTER_COLUMN_OTHER, table, column, null);
    }
    throw new InvalidSqlException(line,
        "unknown ALTER COLUMN action " + TokenCursor.describe(word)
            + " (expected TYPE, SET/DROP NOT NULL, SET/DROP DEFAULT, ...)");
  }
}
