package dev.zdm.local;

/** A running {@code zdm dev} stack, as the CLI sees it: where its servers are, and how to stop it. */
public interface LocalStack extends AutoCloseable {

  /** Temporal's host:port for clients and workers. */
  String temporalAddress();

  /** The Temporal Web UI's address, or null when this server has none. */
  String temporalWebUi();

  /** The PostgreSQL the stack uses. */
  LocalPostgres postgres();

  /** Stops the worker, then PostgreSQL (when the stack started it), then Temporal. */
  @Override
  void close();
}
