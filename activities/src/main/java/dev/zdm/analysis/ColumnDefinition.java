package dev.zdm.analysis;

/**
 * A column as written in CREATE TABLE or ALTER TABLE ... ADD COLUMN.
 *
 * @param type the data type as written (without constraints), e.g. {@code varchar(255)}
 * @param defaultExpression the DEFAULT expression as written, or null
 * @param volatileDefault true when the default must be evaluated per row (now() is not: it is
 *     stable within the statement), so adding the column rewrites the table
 * @param identity GENERATED ... AS IDENTITY, or a serial type
 * @param generatedStored GENERATED ALWAYS AS (expr) STORED
 * @param indexed declared PRIMARY KEY or UNIQUE inline (an index is built under the lock)
 * @param referencedTable the REFERENCES target, or null
 * @param hasCheck declares a CHECK constraint inline
 */
public record ColumnDefinition(
    String name,
    String type,
    String defaultExpression,
    boolean volatileDefault,
    boolean notNull,
    boolean identity,
    boolean generatedStored,
    boolean indexed,
    dev.zdm.model.TableRef referencedTable,
    boolean hasCheck) implements ActionDetail {

  /**
   * True when adding this column checks its REFERENCES against every row: PostgreSQL skips the
   * check only when the new column is all NULL (no default, or DEFAULT NULL), as for CREATE TABLE.
   */
  public boolean validatesReference() {
    return referencedTable != null && defaultExpression != null
        && !defaultExpression.strip().equalsIgnoreCase("null");
  }
}
