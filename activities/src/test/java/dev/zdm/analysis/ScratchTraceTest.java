package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.error.ZdmException;
import dev.zdm.postgres.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zdm analyze --schema --trace} end to end on the test server: a pg_dump-style schema is
 * loaded into a scratch database, the files are judged against its catalog and run on it, and
 * what PostgreSQL did (pg_locks, pg_relation_filenode, pg_stat_xact_user_tables, its errors) is
 * put beside the static verdict; the scratch database is gone afterwards.
 */
class ScratchTraceTest {
  private static final String DUMP = """
      --
      -- PostgreSQL database dump
      --
      \\restrict k3y
      SET statement_timeout = 0;
      SELECT pg_catalog.set_config('search_path', '', false);
      CREATE FUNCTION public.answer() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 42';
      CREATE TABLE public.users (id bigint NOT NULL, username character varying(50), bio text);
      ALTER TABLE public.users OWNER TO app_owner_that_is_not_here;
      ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
      CREATE TABLE public.orders (id bigint PRIMARY KEY, user_id bigint, status text);
      \\unrestrict k3y
      """;

  @TempDir Path dir;

  @Test
  void theTraceReportsWhatPostgresDidAndWinsWhereTheRulesAreWrong() throws Exception {
    Path schema = Files.writeString(dir.resolve("schema.sql"), DUMP);
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(migrations.resolve("V1__widen.sql"), """
        ALTER TABLE users ALTER COLUMN username TYPE varchar(100);
        ALTER TABLE users ALTER COLUMN bio TYPE varchar(200);
        """);
    Files.writeString(migrations.resolve("V2__fk.sql"), """
        ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
        ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
        """);
    Files.writeString(migrations.resolve("V3__index.sql"),
        "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n");
    Files.writeString(migrations.resolve("V4__score.sql"),
        "ALTER TABLE users ADD COLUMN score int DEFAULT answer();\n");
    Files.writeString(migrations.resolve("V5__typo.sql"), """
        ALTER TABLE orders ADD COLUMN note text;
        ALTER TABLE orders
          ALTER COLUMN stauts SET NOT NULL;
        """);
    Files.writeString(migrations.resolve("V7__roles.sql"), "CREATE ROLE zdm_trace_must_not_exist;\n"
        + "GRANT SELECT ON orders TO zdm_trace_must_not_exist;\n");
    Files.writeString(migrations.resolve("V6__required.sql"),
        "ALTER TABLE orders ADD COLUMN region text NOT NULL;\n");
    List<String> notes = new ArrayList<>();

    AnalysisReport report = ScratchAnalysis.analyze(server(), false, schema, true,
        List.of(migrations.toString()), notes::add);

    assertThat(notes).singleElement().asString()
        .contains("schema.sql:9: skipped (role \"app_owner_that_is_not_here\" does not exist)");
    FileAnalysis widen = report.files().get(0);
    assertThat(widen.statements().get(0).safe()).as("varchar(50) -> varchar(100), from the catalog")
        .isTrue();
    assertThat(widen.trace().at(1).rewritten()).isEmpty();
    assertThat(widen.trace().at(2).rewritten()).containsExactly("public.users");
    assertThat(widen.trace().at(2).locksHeld()).containsEntry("public.users",
        LockMode.ACCESS_EXCLUSIVE);
    assertThat(widen.statements().get(1).safe()).isFalse();

    FileAnalysis fk = report.files().get(1);
    TracedStatement validate = fk.trace().at(2);
    assertThat(validate.scanned()).contains("public.orders");
    assertThat(validate.locksTaken()).containsEntry("public.orders",
        LockMode.SHARE_UPDATE_EXCLUSIVE);
    assertThat(validate.locksHeld()).containsEntry("public.orders", LockMode.SHARE_ROW_EXCLUSIVE);
    assertThat(fk.statements().get(1).safe()).as("Flyway: one transaction, static and traced")
        .isFalse();
    assertThat(fk.trace().disagreements()).isEmpty();

    FileAnalysis index = report.files().get(2);
    assertThat(index.safe()).isTrue();
    assertThat(index.trace().at(1).observed()).isFalse();

    FileAnalysis score = report.files().get(3);
    assertThat(score.trace().disagreements()).containsExactly(
        "line 1 (add-column): rewrite: zdm says true, PostgreSQL rewrote nothing",
        "line 1 (add-column): verdict: zdm says unsafe, the trace says safe (traced: PostgreSQL"
            + " neither rewrote nor scanned a table under a lock that blocks writes"
            + " (AccessExclusiveLock, brief))");
    assertThat(score.safe()).as("answer() is IMMUTABLE: no rewrite, the trace wins").isTrue();

    FileAnalysis typo = report.files().get(4);
    assertThat(typo.error()).isEqualTo(migrations.resolve("V5__typo.sql")
        + ":3: PostgreSQL says: column \"stauts\" of relation \"orders\" does not exist");
    assertThat(typo.trace().disagreements()).singleElement().asString()
        .contains("zdm read it as valid");

    FileAnalysis required = report.files().get(5);
    assertThat(required.trace().at(1).scanned()).as("NOT NULL without a default is proven by a scan")
        .containsExactly("public.orders");
    assertThat(required.trace().disagreements()).isEmpty();
    assertThat(required.recommendedStrategy()).isEqualTo(RecommendedStrategy.DUAL_WRITE);

    FileAnalysis roles = report.files().get(6);
    assertThat(roles.error()).isNull();
    assertThat(roles.trace().at(1).observed()).as("a role would outlive the scratch database")
        .isFalse();
    assertThat(count("SELECT count(*) FROM pg_roles WHERE rolname = 'zdm_trace_must_not_exist'"))
        .isZero();

    String json = new JsonReportRenderer().render(report);
    assertThat(json).contains("\"traced\"").contains("\"rewritten\" : [ \"public.users\" ]")
        .contains("\"disagreements\"");
    String sarif = new SarifReportRenderer().render(report);
    assertThat(sarif).contains("zdm/trace-disagreement").contains("\"locksHeld\"");
  }

  @Test
  void theScratchDatabaseIsDroppedWhenClosed() throws Exception {
    String name;
    try (ScratchDatabase scratch = ScratchDatabase.create(server(), false);
        Connection connection = scratch.connect()) {
      name = scratch.name();
      assertThat(databasesNamed(name)).isEqualTo(1);
    }
    assertThat(databasesNamed(name)).isZero();
  }

  @Test
  void withoutASchemaTheTraceStopsAtAMissingTableAndOverridesNothing() throws Exception {
    Path file = Files.writeString(dir.resolve("V1__add.sql"),
        "ALTER TABLE users ALTER COLUMN username TYPE varchar(100);\n");

    AnalysisReport report = ScratchAnalysis.analyze(server(), false, null, true,
        List.of(file.toString()), note -> {});

    FileAnalysis analysis = report.files().get(0);
    assertThat(analysis.error()).isNull();
    assertThat(analysis.verdict()).isEqualTo("depends");
    assertThat(analysis.trace().stopped()).contains("relation \"users\" does not exist")
        .contains("pass --schema");
  }

  @Test
  void aServerOffThisMachineIsRefusedUnlessAllowed() {
    assertThatThrownBy(() -> ScratchDatabase.create(
        DatabaseConfig.of("jdbc:postgresql://db.example.com:5432/app"), false))
        .isInstanceOf(ZdmException.class).hasMessageContaining("not on this machine");
  }

  @Test
  void aFileOnlyPostgresCanReadIsJudgedByTheTrace() {
    FileAnalysis refused = new FileAnalysis("V9__x.sql", false, RecommendedStrategy.NONE,
        "V9__x.sql:1: syntax error at 'x'", List.of());
    TracedStatement ran = new TracedStatement(1, Map.of("public.t", LockMode.ACCESS_EXCLUSIVE),
        Map.of("public.t", LockMode.ACCESS_EXCLUSIVE), true, List.of(), List.of(), null, true);

    FileAnalysis merged = TraceComparison.merge(refused,
        new FileTrace(List.of(ran), null, null, List.of()));

    assertThat(merged.error()).isNull();
    assertThat(merged.safe()).isTrue();
    assertThat(merged.trace().disagreements()).singleElement().asString()
        .contains("zdm's reader refused it");
  }

  private static DatabaseConfig server() {
    return DatabaseConfig.of(LockFactsTest.databaseUrl());
  }

  private static long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(LockFactsTest.databaseUrl());
        PreparedStatement s = c.prepareStatement(sql);
        ResultSet rows = s.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static long databasesNamed(String name) throws Exception {
    try (Connection c = DriverManager.getConnection(LockFactsTest.databaseUrl());
        PreparedStatement s = c.prepareStatement(
            "SELECT count(*) FROM pg_database WHERE datname = ?")) {
      s.setString(1, name);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}
