package dev.zdm.analysis;

import dev.zdm.model.TableRef;

/**
 * A table constraint as written in ADD CONSTRAINT.
 *
 * @param name the constraint name, or null when PostgreSQL picks one
 * @param definition the text after the name, e.g. {@code CHECK (price > 0)}
 * @param notNullColumn for {@code CHECK (col IS NOT NULL)}, the column; else null
 * @param usingIndex for {@code UNIQUE/PRIMARY KEY USING INDEX idx}, the index; else null
 * @param columns the column list of UNIQUE / PRIMARY KEY / FOREIGN KEY as written, or null
 */
public record ConstraintDefinition(
    String name,
    Type type,
    String definition,
    boolean notValid,
    String notNullColumn,
    String usingIndex,
    TableRef referencedTable,
    String columns) implements ActionDetail {

  /** The kinds of table constraint PostgreSQL has. */
  public enum Type {
    CHECK,
    FOREIGN_KEY,
    UNIQUE,
    PRIMARY_KEY,
    EXCLUDE
  }
}
