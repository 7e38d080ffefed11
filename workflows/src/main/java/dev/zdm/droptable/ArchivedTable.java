package dev.zdm.droptable;

import dev.zdm.model.TableRef;

/**
 * Where a moved-aside table is, and its OID when zdm moved it: the drop checks that the table
 * under that name is still the one it moved, not another one put there since.
 */
public record ArchivedTable(TableRef archive, long oid, long rows) {}
