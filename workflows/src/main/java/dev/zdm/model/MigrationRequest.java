package dev.zdm.model;

import dev.zdm.model.plan.FeatureFlagStep;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code zdm start} hands the parent workflow: the migration file as written plus the
 * strategy to use (null lets the planner choose), or, from {@code zdm flag start}, the flag
 * rollout that is the whole plan ({@code flagRollout}, null for a migration file). {@code
 * readsFlag} ({@code zdm start --reads-flag}) gates the reads stage of every dual-write of the
 * file on that flag's rollout; null keeps the deployment gate (or the file's own annotation).
 */
public record MigrationRequest(
    String migrationId,
    String sourceName,
    String sql,
    Strategy strategy,
    MigrationOptions options,
    FeatureFlagStep flagRollout,
    String readsFlag) {

  public MigrationRequest(
      String migrationId, String sourceName, String sql, Strategy strategy, MigrationOptions options) {
    this(migrationId, sourceName, sql, strategy, options, null, null);
  }

  public MigrationRequest withReadsFlag(String flag) {
    return new MigrationRequest(migrationId, sourceName, sql, strategy, options, flagRollout, flag);
  }

  /** Ids become part of workflow ids and ledger rows, so they stay short and printable. */
  public static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  public MigrationRequest {
    Objects.requireNonNull(migrationId, "migrationId");
    if (!VALID_ID.matcher(migrationId).matches()) {
      throw new IllegalArgumentException(
          "migration id '"
              + migrationId
              + "' must be 1-100 characters of letters, digits, '.', '_' or '-', starting with a"
              + " letter or digit");
    }
    Objects.requireNonNull(sql, "sql");
    if (readsFlag != null && !FeatureFlagStep.VALID_FLAG.matcher(readsFlag).matches()) {
      throw new IllegalArgumentException("--reads-flag '" + readsFlag + "' is not a flag name"
          + " (letters, digits, '.', '_' or '-')");
    }
    options = options == null ? MigrationOptions.defaults() : options;
  }
}
