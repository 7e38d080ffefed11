package dev.zdm.analysis;

import dev.zdm.analysis.ActionDetail.DataChange;
import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;

/** The SQL to run instead of an unsafe action, written for a human to read and adapt. */
final class SaferSql {
  private SaferSql() {}

  /** A table name for generated SQL: unqualified in {@code public}, quoted through Identifiers. */
  static String table(TableRef table) {
    return TableRef.DEFAULT_SCHEMA.equals(table.schema())
        ? Identifiers.quote(table.name())
        : Identifiers.quote(table);
  }

  static String concurrentIndex(Index index) {
    return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY "
        + (index.name() == null ? "" : Identifiers.quote(index.name()) + " ") + index.definition()
        + ";  -- outside a transaction block";
  }

  static String notValidThenValidate(TableRef table, ConstraintDefinition constraint) {
    String name = constraintName(table, constraint);
    return "ALTER TABLE " + table(table) + " ADD CONSTRAINT " + Identifiers.quote(name) + " "
        + constraint.definition().replaceAll("(?i)\\s+NOT\\s+VALID\\s*$", "") + " NOT VALID;\n"
        + "ALTER TABLE " + table(table) + " VALIDATE CONSTRAINT " + Identifiers.quote(name) + ";";
  }

  static String setNotNull(TableRef table, String column) {
    String check = Identifiers.generatedName("", table.name(), column, "not_null");
    String t = table(table);
    String c = Identifiers.quote(column);
    return "ALTER TABLE " + t + " ADD CONSTRAINT " + Identifiers.quote(check) + " CHECK (" + c
        + " IS NOT NULL) NOT VALID;\n"
        + "ALTER TABLE " + t + " VALIDATE CONSTRAINT " + Identifiers.quote(check) + ";\n"
        + "ALTER TABLE " + t + " ALTER COLUMN " + c + " SET NOT NULL;  -- no scan: the check proves it\n"
        + "ALTER TABLE " + t + " DROP CONSTRAINT " + Identifiers.quote(check) + ";";
  }

  static String uniqueUsingIndex(TableRef table, ConstraintDefinition constraint) {
    String name = constraintName(table, constraint);
    String kind = constraint.type() == ConstraintDefinition.Type.PRIMARY_KEY ? "PRIMARY KEY" : "UNIQUE";
    return "CREATE UNIQUE INDEX CONCURRENTLY " + Identifiers.quote(name) + " ON " + table(table)
        + " (" + constraint.columns() + ");\n"
        + "ALTER TABLE " + table(table) + " ADD CONSTRAINT " + Identifiers.quote(name) + " " + kind
        + " USING INDEX " + Identifiers.quote(name) + ";";
  }

  static String addColumnThenBackfill(TableRef table, ColumnDefinition column) {
    String t = table(table);
    String c = Identifiers.quote(column.name());
    StringBuilder sql = new StringBuilder("ALTER TABLE " + t + " ADD COLUMN " + c + " " + column.type() + ";\n");
    String value = column.defaultExpression() == null ? "<value>" : column.defaultExpression();
    if (column.defaultExpression() != null) {
      sql.append("ALTER TABLE ").append(t).append(" ALTER COLUMN ").append(c)
          .append(" SET DEFAULT ").append(value).append(";\n");
    }
    sql.append("UPDATE ").append(t).append(" SET ").append(c).append(" = ").append(value)
        .append(" WHERE id >= :from AND id < :to AND ").append(c)
        .append(" IS NULL;  -- batch by key ranges, one transaction each");
    if (column.notNull()) {
      sql.append('\n').append(setNotNull(table, column.name()));
    }
    return sql.toString();
  }

  static String batched(TableRef table, DataChange change, boolean update) {
    String where = change.whereClause() == null ? "" : " AND (" + change.whereClause() + ")";
    String head = update ? "UPDATE " + table(table) + " SET " + change.setClause()
        : "DELETE FROM " + table(table);
    return head + " WHERE id >= :from AND id < :to" + where
        + ";  -- batch by key ranges, each its own transaction (zdm plan: progressive)";
  }

  static String constraintName(TableRef table, ConstraintDefinition constraint) {
    if (constraint.name() != null) {
      return constraint.name();
    }
    String suffix = switch (constraint.type()) {
      case CHECK -> "check";
      case FOREIGN_KEY -> "fkey";
      case UNIQUE -> "key";
      case PRIMARY_KEY -> "pkey";
      case EXCLUDE -> "excl";
    };
    return Identifiers.generatedName("", table.name(), suffix);
  }
}
