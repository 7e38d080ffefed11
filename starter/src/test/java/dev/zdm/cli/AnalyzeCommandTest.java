package dev.zdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zdm.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalyzeCommandTest {
  @TempDir Path dir;

  private int run(Object command, StringWriter out, String... args) {
    CommandLine line = new CommandLine(command);
    line.setOut(new PrintWriter(out));
    line.setErr(new PrintWriter(new StringWriter()));
    return line.execute(args);
  }

  @Test
  void exitCodesAreZeroSafeOneUnsafeTwoBadInput() throws Exception {
    Path safe = Files.writeString(dir.resolve("V1__safe.sql"), "ALTER TABLE t ADD COLUMN c int;");
    Path unsafe = Files.writeString(dir.resolve("V2__unsafe.sql"), "CREATE INDEX i ON t (c);");
    Path bad = Files.writeString(dir.resolve("V3__bad.sql"), "ALTR TABLE t;");
    assertThat(run(new AnalyzeCommand(), new StringWriter(), safe.toString())).isZero();
    assertThat(run(new AnalyzeCommand(), new StringWriter(), unsafe.toString())).isEqualTo(1);
    assertThat(run(new AnalyzeCommand(), new StringWriter(), bad.toString())).isEqualTo(2);
  }

  @Test
  void jsonFormatFollowsTheContract() throws Exception {
    Path unsafe = Files.writeString(dir.resolve("V2__unsafe.sql"), "CREATE INDEX i ON t (c);");
    StringWriter out = new StringWriter();
    run(new AnalyzeCommand(), out, "--format", "json", unsafe.toString());
    var file = new ObjectMapper().readTree(out.toString()).get("files").get(0);
    assertThat(file.get("file").asText()).isEqualTo(unsafe.toString());
    assertThat(file.get("recommendedStrategy").asText()).isEqualTo("concurrent-index");
    var statement = file.get("statements").get(0);
    assertThat(statement.get("lockMode").asText()).isEqualTo("ShareLock");
    assertThat(statement.get("blocksWrites").asBoolean()).isTrue();
  }

  @Test
  void schemaAndTraceJudgeAgainstAScratchDatabaseAndCarryTheTracedFacts() throws Exception {
    Path schema = Files.writeString(dir.resolve("schema.sql"),
        "CREATE TABLE public.users (id int PRIMARY KEY, name varchar(20));\n");
    Path widen = Files.writeString(dir.resolve("V1__widen.sql"),
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(40);\n");
    StringWriter out = new StringWriter();

    int code = run(new AnalyzeCommand(), out, "--database-url", testDatabaseUrl(), "--schema",
        schema.toString(), "--trace", "--format", "json", widen.toString());

    assertThat(code).as(out.toString()).isZero();
    var file = new ObjectMapper().readTree(out.toString()).get("files").get(0);
    assertThat(file.get("verdict").asText()).isEqualTo("safe");
    assertThat(file.get("trace").get("disagreements")).isEmpty();
    var traced = file.get("statements").get(0).get("traced");
    assertThat(traced.get("ran").asBoolean()).isTrue();
    assertThat(traced.get("locksTaken").get("public.users").asText())
        .isEqualTo("AccessExclusiveLock");
    assertThat(traced.get("rewritten")).isEmpty();
  }

  @Test
  void traceWithADatabaseEstimatesFromTheTracedWorkAndTheRealSize() throws Exception {
    String target = "zdm_cli_est_" + java.util.UUID.randomUUID().toString().substring(0, 8);
    String tables = "CREATE SCHEMA " + target + ";\nCREATE TABLE " + target
        + ".orders (id bigint PRIMARY KEY, status text);\n";
    try (var production = java.sql.DriverManager.getConnection(testDatabaseUrl());
        var s = production.createStatement()) {
      s.execute(tables);
      try {
        s.execute("INSERT INTO " + target + ".orders SELECT g, 'open' FROM generate_series(1, 20000) g");
        s.execute("ANALYZE " + target + ".orders");
        Path schema = Files.writeString(dir.resolve("schema.sql"), tables);
        Path required = Files.writeString(dir.resolve("V1__required.sql"),
            "ALTER TABLE " + target + ".orders ALTER COLUMN status SET NOT NULL;\n");
        StringWriter out = new StringWriter();

        run(new AnalyzeCommand(), out, "--database-url", testDatabaseUrl(), "--schema",
            schema.toString(), "--trace", "--format", "json", required.toString());

        var statement = new ObjectMapper().readTree(out.toString()).get("files").get(0)
            .get("statements").get(0);
        assertThat(statement.get("estimateBasis").asText()).as(out.toString())
            .contains("~20000 rows (pg_class)");
        var estimate = statement.get("traced").get("estimate");
        assertThat(estimate.get("lockMode").asText()).isEqualTo("AccessExclusiveLock");
        assertThat(estimate.get("estimateBasis").asText()).contains(target + ".orders: ")
            .contains("~20000 rows (pg_class on the target database), scanned at ");
        assertThat(estimate.get("changedFacts")).isEmpty();
      } finally {
        s.execute("DROP SCHEMA " + target + " CASCADE");
      }
    }
  }

  @Test
  void withoutANamedServerTheScratchDatabaseIsMadeOnAnEmbeddedPostgres() throws Exception {
    Path schema = Files.writeString(dir.resolve("schema.sql"),
        "CREATE TABLE public.users (id int PRIMARY KEY, bio text);\n");
    Path file = Files.writeString(dir.resolve("V1__bio.sql"),
        "ALTER TABLE users ALTER COLUMN bio TYPE varchar(100);\n");

    dev.zdm.analysis.AnalysisReport report;
    try (ScratchServer server = ScratchServer.choose(null, null, java.util.Map.of())) {
      assertThat(server.config().jdbcUrl()).doesNotContain(":5432/");
      report = dev.zdm.analysis.ScratchAnalysis.analyze(server.config(), server.allowRemote(),
          schema, true, java.util.List.of(file.toString()), note -> {});
    }

    var statement = report.files().get(0).statements().get(0);
    assertThat(statement.verdict()).as("text -> varchar(100) rewrites").isEqualTo("unsafe");
    assertThat(report.files().get(0).trace().at(1).rewritten()).containsExactly("public.users");
  }

  private static String testDatabaseUrl() {
    return TestDatabase.url();
  }

  @Test
  void planPrintsPhasesAndRefusesWithExitOne() throws Exception {
    Path file = Files.writeString(dir.resolve("V4__idx.sql"), "CREATE INDEX i ON t (c);");
    StringWriter out = new StringWriter();
    assertThat(run(new PlanCommand(), out, file.toString())).isZero();
    assertThat(out.toString()).contains("CREATE INDEX CONCURRENTLY");
    Path truncate = Files.writeString(dir.resolve("V5__truncate.sql"), "TRUNCATE t;");
    assertThat(run(new PlanCommand(), new StringWriter(), truncate.toString())).isEqualTo(1);
    Path drop = Files.writeString(dir.resolve("V6__drop.sql"), "DROP TABLE t;");
    StringWriter dropPlan = new StringWriter();
    assertThat(run(new PlanCommand(), dropPlan, drop.toString())).isZero();
    assertThat(dropPlan.toString()).contains("drop table t", "move aside", "keep for the retention period",
        "DROP TABLE \"zdm_archive\"");
  }
}
