package dev.zdm.doctor;

import dev.zdm.postgres.DatabaseConfig;
import dev.zdm.temporalclient.TemporalConfig;
import java.time.Duration;

/**
 * What to examine: the Temporal server and the database zdm would use, the table a migration
 * will change (null: no table check), and how old a transaction must be to count as long.
 */
public record DoctorRequest(
    TemporalConfig temporal, DatabaseConfig database, String table, Duration longTransaction) {
  public static final Duration DEFAULT_LONG_TRANSACTION = Duration.ofMinutes(1);

  public DoctorRequest {
    longTransaction = longTransaction == null ? DEFAULT_LONG_TRANSACTION : longTransaction;
    table = table == null || table.isBlank() ? null : table.strip();
  }
}
