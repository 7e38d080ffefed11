package dev.zdm.cli;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.local.LocalPostgres;
import dev.zdm.local.LocalServers;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The PostgreSQL server {@code zdm analyze --schema/--trace} makes its scratch database on: the
 * one {@code --scratch-url} names (any host), else the one {@code --database-url} /
 * ZDM_DATABASE_URL names (only on this machine), else an embedded PostgreSQL started for the run
 * and deleted after it.
 *
 * @param allowRemote the server was named explicitly for scratch work
 */
record ScratchServer(DatabaseConfig config, boolean allowRemote, AutoCloseable stop)
    implements AutoCloseable {

  static ScratchServer choose(String scratchUrl, String databaseUrl, Map<String, String> env) {
    DatabaseConfig fromEnvironment = DatabaseConfig.fromEnvironment(env);
    if (scratchUrl != null && !scratchUrl.isBlank()) {
      return new ScratchServer(fromEnvironment.withUrl(scratchUrl), true, () -> {});
    }
    if (databaseUrl != null && !databaseUrl.isBlank()) {
      return new ScratchServer(fromEnvironment.withUrl(databaseUrl), false, () -> {});
    }
    return embedded();
  }

  /**
   * An embedded PostgreSQL of its own, on a free port, deleted when closed; the slim jar has none
   * (the dev-stack module carries it) and says which option to pass instead.
   */
  static ScratchServer embedded() {
    LocalServers servers = LocalServers.find().orElseThrow(() -> new ZdmException(ErrorCode.BAD_INPUT,
        "this slim zdm jar has no embedded PostgreSQL for the scratch database.",
        "Name a server with --scratch-url (its user needs CREATEDB), or a local one with --database-url"
            + " or ZDM_DATABASE_URL; the full zdm.jar starts an embedded one."));
    try {
      LocalPostgres postgres = servers.startEmbeddedPostgres();
      return new ScratchServer(postgres.config(), true, postgres);
    } catch (UncheckedIOException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: cannot start an embedded"
          + " PostgreSQL for the scratch database (" + e.getMessage() + ")",
          "name a local server with --database-url or ZDM_DATABASE_URL", e);
    }
  }

  @Override
  public void close() {
    try {
      stop.close();
    } catch (Exception e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze: stopping the embedded"
          + " PostgreSQL failed (" + e.getMessage() + ")", null, e);
    }
  }
}
