package dev.zdm.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** Work the {@link StatementRunner} runs on a connection it has prepared. */
@FunctionalInterface
public interface ConnectionWork<T> {
  T run(Connection connection) throws SQLException;
}
