package dev.zdm.droptable;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import java.time.Duration;

/**
 * Input of one drop-table run.
 *
 * @param ifExists a table missing when the run starts is nothing to do, not an error
 * @param retention how long the table stays in the archive schema before it is dropped
 */
public record DropTableRequest(
    String migrationId, TableRef table, boolean ifExists, Duration retention, MigrationOptions options) {}
