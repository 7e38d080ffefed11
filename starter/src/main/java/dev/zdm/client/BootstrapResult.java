package dev.zdm.client;

/** What {@code zdm bootstrap} found and did. */
public record BootstrapResult(String database, String schema, int versionBefore, int versionNow) {}
