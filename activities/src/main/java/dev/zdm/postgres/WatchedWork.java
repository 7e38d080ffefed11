package dev.zdm.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** Long work the {@link StatementRunner} runs under a {@link StatementWatch}. */
@FunctionalInterface
public interface WatchedWork<T> {
  T run(Connection connection, StatementWatch watch) throws SQLException;
}
