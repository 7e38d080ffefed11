package dev.zdm.featureflag;

import java.time.Duration;

/** One run of a guard: a SELECT returning one boolean, run read-only with a statement timeout. */
public record GuardCheck(String migrationId, String flag, String sql, Duration statementTimeout) {
  /** A guard is a quick health question; one that takes longer counts as failed. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public GuardCheck {
    statementTimeout = statementTimeout == null ? DEFAULT_TIMEOUT : statementTimeout;
  }
}
