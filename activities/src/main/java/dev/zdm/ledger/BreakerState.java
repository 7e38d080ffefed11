package dev.zdm.ledger;

import java.time.Instant;

/** One row of {@code _migration_circuit_breakers}, for {@code zdm breaker status}. */
public record BreakerState(
    String name,
    String state,
    int failureCount,
    int failureThreshold,
    Instant lastFailureAt,
    Instant openedAt,
    String lastError) {

  public boolean isOpen() {
    return "open".equals(state);
  }
}
