package dev.zdm.local;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * The servers zdm can start on this machine (the dev stack, an embedded PostgreSQL), offered by the
 * {@code zdm-dev-stack} module through {@link ServiceLoader}. The CLI finds them only through
 * {@link #find()}, so the slim jar the worker image runs, which leaves that module out together
 * with Temporal's test server and the embedded PostgreSQL, still loads every command and can say
 * what is missing instead of failing with a NoClassDefFoundError.
 */
public interface LocalServers {

  /** The dev stack's module when it is on the class path, else empty. */
  static Optional<LocalServers> find() {
    return ServiceLoader.load(LocalServers.class).findFirst();
  }

  /**
   * {@code zdm dev}: Temporal, PostgreSQL and (unless {@code options} say not) a worker on this
   * machine, telling {@code say} each choice as it is made.
   */
  LocalStack startStack(DevOptions options, Map<String, String> env, Consumer<String> say);

  /** An embedded PostgreSQL of its own, on a free port, deleted when closed. */
  LocalPostgres startEmbeddedPostgres();
}
