package dev.zdm.activities;

/** What the DDL runner did: how long the statement took and on which attempt it succeeded. */
public record DdlResult(String description, long durationMillis, int attempt) {}
