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
   * @param batchLimit the most rows it can change when the WHERE picks keys from a subquery with a
   *     LIMIT ({@code id IN (SELECT id ... LIMIT 1000)}), else null
   * @param keyRange the WHERE bounds a key column from below and above ({@code id BETWEEN a AND b},
   *     {@code id >= a AND id < b}): one batch of a loop over key ranges
   */
  record DataChange(
      String setClause, String whereClause, boolean narrow, Long batchLimit, boolean keyRange)
      implements ActionDetail {
    /** Neither narrow nor bounded: every row the WHERE matches. */
    public DataChange(String setClause, String whereClause, boolean narrow) {
      this(setClause, whereClause, narrow, null, false);
    }
  }

  /** ATTACH / DETACH PARTITION, CREATE TABLE ... PARTITION OF: the other table. */
  record Partition(TableRef other) implements ActionDetail {}

  /** SET name = value, e.g. lock_timeout. */
  record Setting(String name, String value) implements ActionDetail {}

  /**
   * CREATE TABLE: its columns (for later statements that change them) and the tables its foreign
   * keys reference (each gets a brief SHARE ROW EXCLUSIVE lock), and whether it is PARTITION BY.
   */
  record TableDefinition(
      java.util.List<ColumnDefinition> columns, java.util.List<TableRef> references,
      boolean partitioned) implements ActionDetail {}

  /**
   * A DO block or function body: the statements found inside, already classified.
   *
   * @param commits the body runs COMMIT (or ROLLBACK): each batch of a loop is its own transaction,
   *     and the block cannot run inside a transaction block
   */
  record Body(java.util.List<Action> inner, boolean commits) implements ActionDetail {}
}
