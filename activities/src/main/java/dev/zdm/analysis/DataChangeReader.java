package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.DataChange;
import dev.zdm.model.TableRef;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.update.Update;

/**
 * Reads UPDATE / DELETE / INSERT with JSqlParser, whose expression tree tells a WHERE that picks
 * rows by key (safe: few rows) from one that sweeps the table (row locks on every matching row
 * until commit). When JSqlParser cannot read a PostgreSQL-specific form, the statement is read
 * from its tokens instead; it is never reported as invalid for that.
 */
final class DataChangeReader {
  private DataChangeReader() {}

  static List<Action> read(SqlStatement statement, List<SqlToken> tokens) {
    String first = tokens.get(0).text().toLowerCase(Locale.ROOT);
    if (first.equals("insert")) {
      // INSERT ... SELECT reads every row its query matches; INSERT ... VALUES reads nothing.
      boolean copies = tokens.stream().anyMatch(t -> t.is("select"));
      return List.of(new Action(ActionKind.INSERT, insertTarget(statement, tokens), null,
          copies ? new DataChange(null, null, false) : null));
    }
    if (!first.equals("update") && !first.equals("delete")) {
      // WITH ... (often a data-changing CTE) or SELECT ... FROM reads tables: a sweeping read.
      boolean reads = first.equals("with") || tokens.stream().anyMatch(t -> t.is("from"));
      return List.of(new Action(ActionKind.SELECT, null, null,
          reads ? new DataChange(null, null, false) : null));
    }
    Action parsed = parse(statement.sql());
    return List.of(parsed != null ? parsed : fromTokens(statement, tokens));
  }

  private static Action parse(String sql) {
    Statement parsed;
    try {
      parsed = CCJSqlParserUtil.newParser(sql).Statement();
    } catch (Exception | Error e) {
      return null;
    }
    if (parsed instanceof Update update && update.getTable() != null) {
      String set = update.getUpdateSets().stream().map(Object::toString)
          .collect(Collectors.joining(", "));
      return change(ActionKind.UPDATE, update.getTable(), set, update.getWhere());
    }
    if (parsed instanceof Delete delete && delete.getTable() != null) {
      return change(ActionKind.DELETE, delete.getTable(), null, delete.getWhere());
    }
    return null;
  }

  private static Action change(ActionKind kind, Table table, String set, Expression where) {
    TableRef ref = SqlNames.table(table.getSchemaName(), table.getName());
    return new Action(kind, ref, null,
        new DataChange(set, where == null ? null : where.toString(), narrow(where),
            batchLimit(where), keyRange(where)));
  }

  /**
   * The LIMIT of a {@code key IN (SELECT ... LIMIT n)} conjunct: the statement changes at most n
   * rows, one batch. Null when there is none (or the limit is not a number).
   */
  private static Long batchLimit(Expression where) {
    if (where instanceof AndExpression and) {
      Long left = batchLimit(and.getLeftExpression());
      return left != null ? left : batchLimit(and.getRightExpression());
    }
    if (where instanceof InExpression in && !in.isNot() && isKey(in.getLeftExpression())
        && in.getRightExpression() instanceof ParenthesedSelect select
        && select.getPlainSelect() != null && select.getPlainSelect().getLimit() != null
        && select.getPlainSelect().getLimit().getRowCount() instanceof LongValue rows) {
      return rows.getValue();
    }
    return null;
  }

  /** A key column bounded from below and above: BETWEEN, or a lower and an upper comparison. */
  private static boolean keyRange(Expression where) {
    List<Expression> conjuncts = new java.util.ArrayList<>();
    conjuncts(where, conjuncts);
    boolean lower = false;
    boolean upper = false;
    for (Expression conjunct : conjuncts) {
      if (conjunct instanceof Between between && !between.isNot()
          && isKey(between.getLeftExpression())) {
        return true;
      }
      if (conjunct instanceof GreaterThan || conjunct instanceof GreaterThanEquals) {
        lower |= isKey(((BinaryExpression) conjunct).getLeftExpression());
        upper |= isKey(((BinaryExpression) conjunct).getRightExpression());
      } else if (conjunct instanceof MinorThan || conjunct instanceof MinorThanEquals) {
        upper |= isKey(((BinaryExpression) conjunct).getLeftExpression());
        lower |= isKey(((BinaryExpression) conjunct).getRightExpression());
      }
    }
    return lower && upper;
  }

  private static void conjuncts(Expression where, List<Expression> into) {
    if (where instanceof AndExpression and) {
      conjuncts(and.getLeftExpression(), into);
      conjuncts(and.getRightExpression(), into);
    } else if (where instanceof net.sf.jsqlparser.expression.Parenthesis parenthesis) {
      conjuncts(parenthesis.getExpression(), into);
    } else if (where != null) {
      into.add(where);
    }
  }

  /** A WHERE with a conjunct {@code id = literal} or {@code id IN (literals)} on a key column. */
  private static boolean narrow(Expression where) {
    if (where == null) {
      return false;
    }
    if (where instanceof AndExpression and) {
      return narrow(and.getLeftExpression()) || narrow(and.getRightExpression());
    }
    if (where instanceof EqualsTo equals) {
      return (isKey(equals.getLeftExpression()) && isValue(equals.getRightExpression()))
          || (isKey(equals.getRightExpression()) && isValue(equals.getLeftExpression()));
    }
    if (where instanceof InExpression in && !in.isNot() && isKey(in.getLeftExpression())
        && in.getRightExpression() instanceof ExpressionList<?> list) {
      return list.stream().allMatch(DataChangeReader::isValue);
    }
    return false;
  }

  private static boolean isKey(Expression expression) {
    if (!(expression instanceof Column column)) {
      return false;
    }
    String name = SqlNames.normalize(column.getColumnName());
    return name.equals("id") || name.equals("uuid") || name.equals("key") || name.equals("ctid");
  }

  private static boolean isValue(Expression expression) {
    return expression instanceof LongValue || expression instanceof StringValue
        || expression instanceof JdbcParameter;
  }

  /** Fallback: table after UPDATE [ONLY] / DELETE FROM [ONLY]; WHERE present or not. */
  private static Action fromTokens(SqlStatement statement, List<SqlToken> tokens) {
    TokenCursor cursor = new TokenCursor(statement.sql(), tokens, statement.line());
    boolean update = cursor.next().is("update");
    if (!update) {
      cursor.expect("from", "after DELETE");
    }
    cursor.accept("only");
    TableRef table = cursor.qualifiedName("a table name");
    String set = null;
    if (update) {
      cursor.skipPast("set");
      int start = cursor.position();
      boolean hasWhere = cursor.skipPast("where");
      set = hasWhere ? statement.sql().substring(tokens.get(start).start(),
          tokens.get(cursor.position() - 1).start()).strip() : cursor.rest();
      return new Action(ActionKind.UPDATE, table, null,
          new DataChange(set, hasWhere ? cursor.rest() : null, false));
    }
    boolean hasWhere = cursor.skipPast("where");
    return new Action(ActionKind.DELETE, table, null,
        new DataChange(null, hasWhere ? cursor.rest() : null, false));
  }

  private static TableRef insertTarget(SqlStatement statement, List<SqlToken> tokens) {
    if (tokens.size() < 3 || !tokens.get(1).is("into") || !tokens.get(2).isName()) {
      return null;
    }
    TokenCursor cursor = new TokenCursor(statement.sql(), tokens, statement.line());
    cursor.next();
    cursor.next();
    return cursor.qualifiedName("a table name");
  }
}
