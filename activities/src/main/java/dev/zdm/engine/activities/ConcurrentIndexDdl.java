package dev.zdm.engine.activities;

import dev.zdm.analysis.Action;
import dev.zdm.analysis.ActionDetail.Index;
import dev.zdm.analysis.ActionKind;
import dev.zdm.analysis.InvalidSqlException;
import dev.zdm.analysis.SqlStatement;
import dev.zdm.analysis.StatementClassifier;
import dev.zdm.engine.progressive.IndexBuilds;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.StatementContext;
import dev.zdm.postgres.StatementRunner;
import dev.zdm.postgres.StatementWatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A direct step that builds or drops one named index concurrently, run as the concurrent-index
 * step runs its build ({@link IndexBuilds}): under the index's build lock, so one build or drop of
 * it runs at a time. A retry that finds the index its predecessor started still being built (the
 * worker died, the activity timed out) waits for that build instead of dropping it; an INVALID
 * index nothing builds is dropped and built again; a VALID one is done. On the first attempt an
 * index already there keeps PostgreSQL's own answer (an error, or IF NOT EXISTS's notice), as
 * {@link RepeatableDdl} does for every statement.
 */
final class ConcurrentIndexDdl {
  private static final Logger log = LoggerFactory.getLogger(ConcurrentIndexDdl.class);

  private final StatementContext context;
  private final String sql;
  private final RepeatableDdl asWritten;
  private final IndexBuilds builds;
  /** The table and index of a CREATE; null for a DROP. */
  private final TableRef table;
  private final Index created;

  private ConcurrentIndexDdl(StatementContext context, String sql, TableRef index, TableRef table,
      Index created) {
    this.context = context;
    this.sql = sql;
    this.asWritten = new RepeatableDdl(context, sql);
    this.builds = new IndexBuilds(context.migrationId(), index);
    this.table = table;
    this.created = created;
  }

  /** The statement as a build or drop of one named index; empty for any other statement. */
  static Optional<ConcurrentIndexDdl> of(StatementContext context, String sql) {
    List<Action> actions;
    try {
      actions = new StatementClassifier().classify(new SqlStatement(1, sql, Map.of()));
    } catch (InvalidSqlException unreadable) {
      return Optional.empty();
    }
    if (actions.size() != 1 || !(actions.get(0).detail() instanceof Index index) || index.name() == null) {
      return Optional.empty();
    }
    Action action = actions.get(0);
    if (action.kind() == ActionKind.CREATE_INDEX_CONCURRENTLY) {
      TableRef name = new TableRef(action.table().schema(), index.name());
      return Optional.of(new ConcurrentIndexDdl(context, sql, name, action.table(), index));
    }
    if (action.kind() == ActionKind.DROP_INDEX_CONCURRENTLY) {
      return Optional.of(new ConcurrentIndexDdl(context, sql, action.table(), null, null));
    }
    return Optional.empty();
  }

  Void run(Connection connection, StatementWatch watch) throws SQLException {
    builds.underLock(connection, watch, () -> {
      if (created == null) {
        asWritten.run(connection);
      } else if (!builds.exists(connection)) {
        builds.buildHoldingLock(connection, watch, sql);
      } else if (context.attempt() > 1 && madeForThisTable(connection)) {
        log.info("[{}] {}: attempt {} finds the index an earlier attempt made; waiting for its"
                + " build if one runs, building again if it failed",
            context.migrationId(), context.description(), context.attempt());
        builds.buildHoldingLock(connection, watch, sql);
      } else {
        // Not an earlier attempt's: the name is the user's, and PostgreSQL's answer stands.
        StatementRunner.executeAll(connection, sql);
      }
    });
    return null;
  }

  /** The index of that name is on the statement's table, valid or not. */
  private boolean madeForThisTable(Connection connection) throws SQLException {
    return EndStateCheck.index(table, created, true).orElseThrow().holds(connection)
        || EndStateCheck.index(table, created, false).orElseThrow().holds(connection);
  }
}
