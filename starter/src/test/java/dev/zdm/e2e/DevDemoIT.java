package dev.zdm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.engine.expandcontract.ArchiveNames;
import dev.zdm.model.TableRef;
import dev.zdm.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, `zdm dev --demo`, both ways it can go: with no `temporal` binary
 * (the in-memory test server) and with one on PATH (the SDK's TemporalDevServer launches it). The
 * binary here is a stand-in script that answers like the dev server by running zdm's own test
 * server, so the launch path — lookup on PATH, arguments, readiness check — is the real one.
 */
class DevDemoIT {
  private TestDatabase db;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("demo");
  }

  @AfterEach
  void tearDown() {
    db.execute("DROP SCHEMA IF EXISTS zdm_demo CASCADE");
    db.close();
  }

  @Test
  void theDemoRunsOnTheInMemoryTestServer() throws IOException {
    ZdmProcess.Result demo = ZdmProcess.run(environment(System.getenv("PATH")),
        "dev", "--demo", "--temporal-port", String.valueOf(freePort()));

    assertThat(demo.exitCode()).as(demo.toString()).isZero();
    assertThat(demo.stdout())
        .contains("Temporal's in-memory test server")
        .contains("forgets every workflow when it stops")
        .contains("$ zdm deployed demo-")
        .contains("$ zdm approve demo-")
        .contains("100000 of 100000 values are in " + ArchiveNames.of(new TableRef("zdm_demo", "users"),
            "legacy_field").table().displayName())
        .contains("Demo done");
  }

  @Test
  void theDemoUsesATemporalBinaryFoundOnPath() throws IOException {
    Path bin = Files.createTempDirectory("zdm-fake-temporal");
    Path temporal = bin.resolve("temporal");
    Files.writeString(temporal, """
        #!/usr/bin/env bash
        # Stand-in for `temporal server start-dev --port P ...`: serves zdm's test server on P.
        port=""
        while [[ $# -gt 0 ]]; do
          if [[ "$1" == "--port" ]]; then port="$2"; fi
          shift
        done
        export PATH=/usr/bin:/bin
        unset ZDM_TEMPORAL_CLI
        exec "%s" -jar "%s" dev --no-worker --temporal-port "$port"
        """.formatted(Path.of(System.getProperty("java.home"), "bin", "java"), ZdmProcess.jar().toAbsolutePath()));
    Files.setPosixFilePermissions(temporal, PosixFilePermissions.fromString("rwxr-xr-x"));

    ZdmProcess.Result demo = ZdmProcess.run(environment(bin + ":" + System.getenv("PATH")),
        "dev", "--demo", "--temporal-port", String.valueOf(freePort()));

    assertThat(demo.exitCode()).as(demo.toString()).isZero();
    assertThat(demo.stdout())
        .contains("Temporal dev server at 127.0.0.1:")
        .contains(temporal + " found on PATH")
        .contains("Demo done");
  }

  private Map<String, String> environment(String path) {
    return Map.of(
        "PATH", path,
        "ZDM_DATABASE_URL", TestDatabase.url(),
        "ZDM_LEDGER_SCHEMA", db.schema());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
