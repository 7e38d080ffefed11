package dev.zdm.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Runs DDL the safe way: lock_timeout, statement_timeout, circuit breaker, classified errors. */
@ActivityInterface
public interface DdlActivities {

  @ActivityMethod(name = "RunDdl")
  DdlResult runDdl(DdlStatement statement);

  /** True when the database's circuit breaker lets statements through. */
  @ActivityMethod(name = "CheckBreaker")
  boolean breakerClosed(String migrationId);
}
