package dev.zdm.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.zdm.activities.ZdmFailures;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection failure (class 08, 57P01-57P03) is retried as {@code ConnectionFailed} and never
 * counted on the breaker, while other transient errors still are (decision 0420). The SQLSTATEs
 * are raised by PL/pgSQL on a live connection, the case where recording would succeed.
 */
class ConnectionFailureTest {
  private TestDatabase db;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("connection_failure");
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private ApplicationFailure failWith(String sqlState) {
    StatementContext context = new StatementContext(
        "conn", "raise " + sqlState, true, Duration.ofMillis(200), Duration.ofSeconds(5), 1);
    String sql = "DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '" + sqlState + "'; END $$";
    Throwable thrown = catchThrowable(() -> db.target().runner().execute(context, sql));
    assertThat(thrown).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) thrown;
  }

  private String breaker() {
    return db.queryString("SELECT state || '/' || failure_count FROM {schema}._migration_circuit_breakers"
        + " WHERE breaker_name = 'migration_executor'");
  }

  @Test
  void connectionFailuresAreRetriedAndNotCountedOnTheBreaker() {
    for (String state : new String[] {"08006", "08001", "57P01", "57P03", "08006", "57P01"}) {
      ApplicationFailure failure = failWith(state);
      assertThat(failure.getType()).isEqualTo(ZdmFailures.CONNECTION_FAILED);
      assertThat(failure.isNonRetryable()).isFalse();
      assertThat(failure.getOriginalMessage()).startsWith("[conn] raise " + state + ": connection to PostgreSQL failed")
          .contains("SQLSTATE " + state);
    }
    // Six in a row: the breaker would be open (threshold 5) had they been counted.
    assertThat(breaker()).isEqualTo("closed/0");
  }

  @Test
  void otherTransientErrorsStillCount() {
    ApplicationFailure deadlock = failWith("40P01");
    assertThat(deadlock.getType()).isEqualTo("TransientSqlError");
    assertThat(deadlock.isNonRetryable()).isFalse();
    assertThat(breaker()).isEqualTo("closed/1");
  }
}
