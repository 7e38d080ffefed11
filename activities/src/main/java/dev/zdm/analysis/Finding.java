package dev.zdm.analysis;

/** One action of a statement with its lock facts, verdict and (with a database) its estimate. */
public record Finding(Action action, LockFacts facts, ActionVerdict verdict, DowntimeEstimate estimate) {}
