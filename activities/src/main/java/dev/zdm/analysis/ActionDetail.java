package dev.zdm.analysis;

import dev.zdm.model.TableRef;

/** What an {@link Action} needs beyond its kind, table and column; one shape per kind of action. */
public sealed interface ActionDetail
    permits ColumnDefinition,
        ConstraintDefinition,
        ActionDetail.None,
        ActionDetail.TypeChange,
        ActionDetail.NewName,
        ActionDetail.Index,
        ActionDetail.ConstraintName,
        ActionDetail.DataChange,
        ActionDetail.Partition,
        ActionDetail.Setting,
        ActionDetail.Body,
        ActionDetail.TableDefinition {

  /** Nothing more to say. */
  record None() implements ActionDetail {}

  /** ALTER COLUMN ... TYPE newType [USING expression]. */
  record TypeChange(String newType, String using) implements ActionDetail {}

  /** RENAME TO / RENAME COLUMN ... TO. */
  record NewName(String newName) implements ActionDetail {}

  /**
   * CREATE / DROP / REINDEX INDEX.
   *
   * @param name the index name (null when PostgreSQL picks one)
   * @param definition the text from {@code ON} to the end, e.g. {@code ON orders (created_at)}
   */
  record Index(String name, boolean unique, String definition) implements ActionDetail {}

  /** VALIDATE / DROP / RENAME CONSTRAINT name. */
  record ConstraintName(String name) implements ActionDetail {}

  /**
   * UPDATE or DELETE.
   *
   * @param setClause the text after SET (UPDATE only), else null
   * @param whereClause the text after WHERE, or null when there is none
   * @param narrow true when the WHERE picks rows by key (id = 1, id IN (...)), so few rows change
   */
  record DataChange(String setClause, String whereClause, boolean narrow) implements ActionDetail {}

  /** ATTACH / DETACH PARTITION, CREATE TABLE ... PARTITION OF: the other table. */
  record Partition(TableRef other) implements ActionDetail {}

  /** SET name = value, e.g. lock_timeout. */
  record Setting(String name, String value) implements ActionDetail {}

  /**
   * CREATE TABLE: its columns (for later statements that change them) and the tables its foreign
   * keys reference (each gets a brief SHARE ROW EXCLUSIVE lock).
   */
  record TableDefinition(java.util.List<ColumnDefinition> columns, java.util.List<TableRef> references)
      implements ActionDetail {}

  /** A DO block or function body: the statements found inside, already classified. */
  record Body(java.util.List<Action> inner) implements ActionDetail {}
}
