package dev.zdm.expandcontract;

import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;

/** Input of one expand-contract run: which column of which table goes, and the options. */
public record ExpandContractRequest(
    String migrationId, TableRef table, String column, MigrationOptions options) {}
