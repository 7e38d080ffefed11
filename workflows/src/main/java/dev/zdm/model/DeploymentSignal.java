package dev.zdm.model;

/**
 * Release tooling's word that an application version is live.
 *
 * @param stage null for a plain deployment; {@code reads} or {@code writes} for dual-write gates
 */
public record DeploymentSignal(String version, String stage) {}
