package dev.zdm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The tests' PostgreSQL: the order in which it is chosen, and that the chosen one serves tests. */
class TestPostgresTest {

  /** Candidates that record which were tried; what each would give is the test's input. */
  private static final class Offered implements TestPostgres.Candidates {
    final List<String> tried = new ArrayList<>();
    private final String localRefusal;
    private final String container;

    Offered(String localRefusal, String container) {
      this.localRefusal = localRefusal;
      this.container = container;
    }

    @Override
    public String localRefusal() {
      tried.add("local");
      return localRefusal;
    }

    @Override
    public Optional<String> container() {
      tried.add("container");
      return Optional.ofNullable(container);
    }

    @Override
    public String embedded() {
      tried.add("embedded");
      return "jdbc:postgresql://localhost:5999/postgres?user=postgres";
    }
  }

  private static Map<String, String> settings(String env, String property, String forced) {
    Map<String, String> settings = new HashMap<>();
    settings.put(TestPostgres.ENV_URL, env);
    settings.put(TestPostgres.PROPERTY_URL, property);
    settings.put(TestPostgres.PROPERTY_FORCE, forced);
    return settings;
  }

  @Test
  void aNamedUrlComesFirstAndThePropertyBeatsTheEnvironment() {
    Offered offered = new Offered(null, "jdbc:container");
    TestPostgres chosen = TestPostgres.choose(settings("jdbc:env", "jdbc:property", null), offered);
    assertThat(chosen.source()).isEqualTo(TestPostgres.Source.URL);
    assertThat(chosen.url()).isEqualTo("jdbc:property");
    assertThat(TestPostgres.choose(settings("jdbc:env", " ", ""), offered).url()).isEqualTo("jdbc:env");
    assertThat(offered.tried).isEmpty();
  }

  @Test
  void thenTheLocalServerThenAContainerThenTheEmbeddedOne() {
    Offered local = new Offered(null, "jdbc:container");
    assertThat(TestPostgres.choose(settings(null, null, null), local).source()).isEqualTo(TestPostgres.Source.LOCAL);
    assertThat(local.tried).containsExactly("local");

    Offered docker = new Offered("Connection refused", "jdbc:container");
    TestPostgres container = TestPostgres.choose(settings(null, null, null), docker);
    assertThat(container.source()).isEqualTo(TestPostgres.Source.CONTAINER);
    assertThat(container.url()).isEqualTo("jdbc:container");
    assertThat(container.why()).contains("Connection refused");
    assertThat(docker.tried).containsExactly("local", "container");

    Offered nothing = new Offered("Connection refused", null);
    assertThat(TestPostgres.choose(settings(null, null, null), nothing).source()).isEqualTo(TestPostgres.Source.EMBEDDED);
    assertThat(nothing.tried).containsExactly("local", "container", "embedded");
  }

  @Test
  void aForcedChoiceBeatsANamedUrlAndFailsWhenItsServerIsNotThere() {
    Offered offered = new Offered("Connection refused", null);
    TestPostgres embedded = TestPostgres.choose(settings("jdbc:env", null, "EMBEDDED"), offered);
    assertThat(embedded.source()).isEqualTo(TestPostgres.Source.EMBEDDED);
    assertThat(offered.tried).containsExactly("embedded");
    assertThatThrownBy(() -> TestPostgres.choose(settings(null, null, "local"), offered))
        .hasMessageContaining("127.0.0.1:5432 did not answer: Connection refused");
    assertThatThrownBy(() -> TestPostgres.choose(settings(null, null, "container"), offered))
        .hasMessageContaining("no Docker engine answers");
    assertThatThrownBy(() -> TestPostgres.choose(settings(null, null, "cloud"), offered))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theChosenServerServesATestSchemaAsASuperuser() throws Exception {
    String forced = System.getProperty(TestPostgres.PROPERTY_FORCE);
    if (forced != null && !forced.isBlank()) {
      assertThat(TestPostgres.chosen().source().name()).isEqualToIgnoringCase(forced);
    }
    try (TestDatabase db = TestDatabase.create("chooser")) {
      db.sql("CREATE TABLE t (id int)", "INSERT INTO t VALUES (1), (2)");
      assertThat(db.count("SELECT count(*) FROM t")).isEqualTo(2);
    }
    try (Connection connection = DriverManager.getConnection(TestDatabase.url());
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
      row.next();
      assertThat(row.getBoolean(1)).as("tests create roles and databases").isTrue();
    }
  }
}
