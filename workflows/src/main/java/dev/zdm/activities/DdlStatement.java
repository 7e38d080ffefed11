package dev.zdm.activities;

import java.time.Duration;

/**
 * One statement for the DDL runner.
 *
 * @param description what the statement does, for logs and status
 * @param transactional false for CONCURRENTLY statements, which PostgreSQL refuses in a transaction
 */
public record DdlStatement(
    String migrationId,
    String description,
    String sql,
    boolean transactional,
    Duration lockTimeout,
    Duration statementTimeout) {}
