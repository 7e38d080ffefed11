package dev.zdm.droptable;

import dev.zdm.model.TableRef;

/**
 * Where a moved-aside table is, and its OID when zdm moved it: the drop checks that the table
 * under that name is still the one it moved, not another one put there since.
 *
 * @param rows PostgreSQL's estimate (pg_class.reltuples) when it was moved: for the status only;
 *     counting would scan the table inside the move's transaction
 */
public record ArchivedTable(TableRef archive, long oid, long rows) {}
