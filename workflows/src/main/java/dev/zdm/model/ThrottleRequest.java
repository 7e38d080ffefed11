package dev.zdm.model;

/** Live control of a batched step: a null field leaves that setting as it is. */
public record ThrottleRequest(Integer batchSize, Integer delayMs) {}
