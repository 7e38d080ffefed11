package dev.zdm.analysis;

import dev.zdm.model.TableRef;

/** The lock one statement takes on one table. */
public record TableLock(TableRef table, LockMode mode) {}
