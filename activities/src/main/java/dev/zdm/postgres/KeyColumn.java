package dev.zdm.postgres;

/** A primary-key column with its SQL type as {@code format_type} spells it. */
public record KeyColumn(String name, String type) {}
