package dev.zdm.dev;

/** A Temporal server the dev stack started (or found), with why it is this one. */
public sealed interface LocalTemporal extends AutoCloseable
    permits DevServerTemporal, TestServerTemporal {

  /** host:port for clients and workers. */
  String address();

  /** One line for the user: what runs, where, and why it was chosen. */
  String description();

  /** Whether workflows survive this server's restart. */
  boolean durable();

  /** The Web UI's address, or null when this server has none. */
  String webUi();

  @Override
  void close();
}
