package dev.zdm.expandcontract;

/** Where the dropped column's data was archived and how many rows it holds. */
public record ArchiveResult(String archiveTable, long rowsArchived) {}
