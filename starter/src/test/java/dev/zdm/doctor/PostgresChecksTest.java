package dev.zdm.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zdm.ledger.CircuitBreaker;
import dev.zdm.ledger.Ledger;
import dev.zdm.postgres.Database;
import dev.zdm.postgres.DatabaseConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each PostgreSQL check of {@code zdm doctor} against the test PostgreSQL, with roles the test
 * makes and privileges it grants one at a time in a scratch database.
 */
class PostgresChecksTest {
  private static ScratchCluster cluster;

  @BeforeAll
  static void createDatabase() throws Exception {
    cluster = ScratchCluster.create();
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    cluster.close();
  }

  private static DoctorCheck check(DatabaseConfig config, String table, Duration longTransaction, String name) {
    return new DoctorReport(new PostgresChecks(config, table, longTransaction).run()).check(name);
  }

  private static DoctorCheck check(DatabaseConfig config, String name) {
    return check(config, null, DoctorRequest.DEFAULT_LONG_TRANSACTION, name);
  }

  @Test
  void anUnreachableServerIsAProblemAndLeavesTheOtherChecksUnmade() {
    DatabaseConfig nowhere = DatabaseConfig.of("jdbc:postgresql://127.0.0.1:1/test?user=postgres");
    List<DoctorCheck> checks = new PostgresChecks(nowhere, null, Duration.ofMinutes(1)).run();
    assertThat(checks.get(0).name()).isEqualTo(PostgresChecks.SERVER);
    assertThat(checks.get(0).outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(checks.get(0).detail()).contains("cannot be reached");
    assertThat(checks.subList(1, checks.size())).extracting(DoctorCheck::outcome).containsOnly(CheckOutcome.NOT_CHECKED);
  }

  @Test
  void theServerVersionIsReported() throws Exception {
    String role = cluster.role("version");
    DoctorCheck server = check(cluster.config(role, "public"), PostgresChecks.SERVER);
    assertThat(server.outcome()).isEqualTo(CheckOutcome.OK);
    String version;
    try (Connection connection = cluster.adminConnection(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SHOW server_version")) {
      row.next();
      version = row.getString(1);
    }
    assertThat(server.detail()).contains("PostgreSQL " + version).contains("role " + role).contains(cluster.database);
  }

  @Test
  void theLedgerNeedsCreateOnItsSchemaAndTheUseOfItsTables() throws Exception {
    String role = cluster.role("ledger");
    String schema = "ledger_" + role.substring(role.length() - 6);
    DatabaseConfig config = cluster.config(role, schema);

    DoctorCheck absent = check(config, LedgerPrivilegeCheck.NAME);
    assertThat(absent.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(absent.detail()).contains("does not exist").contains("no CREATE on the database");

    cluster.asAdmin("GRANT CREATE ON DATABASE " + cluster.database + " TO " + role);
    assertThat(check(config, LedgerPrivilegeCheck.NAME).outcome()).isEqualTo(CheckOutcome.OK);
    cluster.asAdmin("REVOKE CREATE ON DATABASE " + cluster.database + " FROM " + role);

    cluster.asAdmin("CREATE SCHEMA " + schema, "GRANT USAGE ON SCHEMA " + schema + " TO " + role);
    DoctorCheck usageOnly = check(config, LedgerPrivilegeCheck.NAME);
    assertThat(usageOnly.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(usageOnly.detail()).contains("lacks CREATE on ledger schema " + schema);
    assertThat(usageOnly.fix()).isEqualTo("GRANT USAGE, CREATE ON SCHEMA \"" + schema + "\" TO \"" + role + "\";");

    cluster.asAdmin("GRANT CREATE ON SCHEMA " + schema + " TO " + role);
    installLedger(schema);
    DoctorCheck tablesDenied = check(config, LedgerPrivilegeCheck.NAME);
    assertThat(tablesDenied.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(tablesDenied.detail()).contains("_migration_progress: INSERT").contains("_migration_control: DELETE")
        .contains("_migration_table_claims: DELETE");

    cluster.asAdmin("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
    assertThat(check(config, LedgerPrivilegeCheck.NAME).outcome()).isEqualTo(CheckOutcome.OK);
  }

  @Test
  void aTableNeedsOwnershipAndCreateOnItsSchema() throws Exception {
    String role = cluster.role("table");
    String owner = cluster.owner("owner");
    String schema = "app_" + role.substring(role.length() - 6);
    cluster.asAdmin(
        "CREATE SCHEMA " + schema,
        "CREATE TABLE " + schema + ".orders (id bigint PRIMARY KEY)",
        "ALTER TABLE " + schema + ".orders OWNER TO " + owner,
        "GRANT USAGE ON SCHEMA " + schema + " TO " + role);
    DatabaseConfig config = cluster.config(role, "public");
    Duration limit = DoctorRequest.DEFAULT_LONG_TRANSACTION;

    assertThat(check(config, null, limit, TablePrivilegeCheck.NAME).outcome()).isEqualTo(CheckOutcome.NOT_CHECKED);
    assertThat(check(config, schema + ".missing", limit, TablePrivilegeCheck.NAME).detail())
        .isEqualTo("No table " + schema + ".missing in this database.");

    DoctorCheck notOwner = check(config, schema + ".orders", limit, TablePrivilegeCheck.NAME);
    assertThat(notOwner.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(notOwner.detail()).contains("does not own \"" + schema + "\".\"orders\" (owner " + owner + ")");

    cluster.asAdmin("GRANT " + owner + " TO " + role);
    DoctorCheck noCreate = check(config, schema + ".orders", limit, TablePrivilegeCheck.NAME);
    assertThat(noCreate.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(noCreate.detail()).contains("lacks CREATE on schema \"" + schema + "\"");

    cluster.asAdmin("GRANT CREATE ON SCHEMA " + schema + " TO " + role);
    assertThat(check(config, schema + ".orders", limit, TablePrivilegeCheck.NAME).outcome()).isEqualTo(CheckOutcome.OK);
  }

  @Test
  void rowLevelSecurityThatWouldHideRowsFromZdmsRoleIsAProblem() throws Exception {
    String role = cluster.role("rls");
    String owner = cluster.owner("rlsowner");
    String schema = "rls_" + role.substring(role.length() - 6);
    String table = schema + ".accounts";
    String quoted = "\"" + schema + "\".\"accounts\"";
    cluster.asAdmin(
        "CREATE SCHEMA " + schema,
        "CREATE TABLE " + table + " (id bigint PRIMARY KEY, tenant text)",
        "ALTER TABLE " + table + " OWNER TO " + owner,
        "GRANT USAGE ON SCHEMA " + schema + " TO " + role);
    DatabaseConfig config = cluster.config(role, "public");
    Duration limit = DoctorRequest.DEFAULT_LONG_TRANSACTION;

    assertThat(check(config, null, limit, RowSecurityCheck.NAME).outcome()).isEqualTo(CheckOutcome.NOT_CHECKED);
    assertThat(check(config, schema + ".missing", limit, RowSecurityCheck.NAME).outcome())
        .isEqualTo(CheckOutcome.NOT_CHECKED);
    DoctorCheck off = check(config, table, limit, RowSecurityCheck.NAME);
    assertThat(off.outcome()).isEqualTo(CheckOutcome.OK);
    assertThat(off.detail()).isEqualTo("Row-level security is off on " + quoted + ".");

    // On, and zdm's role is not the owner: the policy applies to it.
    cluster.asAdmin("ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY tenant_a ON " + table + " USING (tenant = 'a')");
    DoctorCheck notOwner = check(config, table, limit, RowSecurityCheck.NAME);
    assertThat(notOwner.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(notOwner.detail()).contains("Row-level security is on for " + quoted + " (1 policy)")
        .contains("neither owns it (owner " + owner + ") nor has BYPASSRLS").contains("row_security = off");
    assertThat(notOwner.fix()).startsWith("As a superuser: ALTER ROLE \"" + role + "\" BYPASSRLS;");

    // With the owner's privileges and not forced: owners see every row.
    cluster.asAdmin("GRANT " + owner + " TO " + role);
    DoctorCheck owning = check(config, table, limit, RowSecurityCheck.NAME);
    assertThat(owning.outcome()).isEqualTo(CheckOutcome.OK);
    assertThat(owning.detail()).contains("not forced").contains("owner's privileges");

    // Forced: the policies apply to the owner too.
    cluster.asAdmin("ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY");
    DoctorCheck forced = check(config, table, limit, RowSecurityCheck.NAME);
    assertThat(forced.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(forced.detail()).startsWith(quoted + " has FORCE ROW LEVEL SECURITY: its row-level security (1 policy) applies to its owner " + owner);
    assertThat(forced.fix()).startsWith("ALTER TABLE " + quoted + " NO FORCE ROW LEVEL SECURITY;");

    // BYPASSRLS: nothing is hidden, forced or not.
    cluster.asAdmin("ALTER ROLE " + role + " BYPASSRLS");
    DoctorCheck bypass = check(config, table, limit, RowSecurityCheck.NAME);
    assertThat(bypass.outcome()).isEqualTo(CheckOutcome.OK);
    assertThat(bypass.detail()).contains("bypasses it (BYPASSRLS)");
  }

  @Test
  void replicationLagNeedsPgReadAllStats() throws Exception {
    String role = cluster.role("lag");
    DatabaseConfig config = cluster.config(role, "public");
    DoctorCheck hidden = check(config, LagVisibilityCheck.NAME);
    assertThat(hidden.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(hidden.fix()).isEqualTo("GRANT pg_read_all_stats TO \"" + role + "\";");

    cluster.asAdmin("GRANT pg_read_all_stats TO " + role);
    assertThat(check(config, LagVisibilityCheck.NAME).outcome()).isEqualTo(CheckOutcome.OK);
  }

  @Test
  void sessionDefaultsAreReportedWithTheirSourceAndReadOnlySessionsAreAProblem() throws Exception {
    String role = cluster.role("defaults");
    DatabaseConfig config = cluster.config(role, "public");
    cluster.asAdmin("ALTER ROLE " + role + " SET lock_timeout = '3s'");
    DoctorCheck timeouts = check(config, SessionDefaultsCheck.NAME);
    assertThat(timeouts.outcome()).isEqualTo(CheckOutcome.OK);
    assertThat(timeouts.detail()).contains("lock_timeout = 3000ms (user)");
    assertThat(timeouts.fix()).isNull();

    cluster.asAdmin("ALTER ROLE " + role + " RESET lock_timeout");
    assertThat(check(config, SessionDefaultsCheck.NAME).fix()).contains("wait for locks without limit");

    cluster.asAdmin("ALTER ROLE " + role + " SET default_transaction_read_only = on");
    DoctorCheck readOnly = check(config, SessionDefaultsCheck.NAME);
    assertThat(readOnly.outcome()).isEqualTo(CheckOutcome.PROBLEM);
    assertThat(readOnly.detail()).contains("read-only");
  }

  @Test
  void aTransactionOpenLongerThanTheLimitIsListedAndHiddenOnesAreNotCalledAbsent() throws Exception {
    String role = cluster.role("longtx");
    try (Connection holder = cluster.adminConnection(); Statement statement = holder.createStatement()) {
      // Nothing else is open in the scratch database: the holder's idle connection has no transaction.
      DatabaseConfig superuser = DatabaseConfig.of(cluster.url(null));
      assertThat(check(superuser, null, Duration.ZERO, LongTransactionCheck.NAME).outcome()).isEqualTo(CheckOutcome.OK);

      holder.setAutoCommit(false);
      ResultSet pid = statement.executeQuery("SELECT pg_backend_pid()");
      pid.next();
      DoctorCheck seen = check(superuser, null, Duration.ZERO, LongTransactionCheck.NAME);
      assertThat(seen.outcome()).isEqualTo(CheckOutcome.PROBLEM);
      assertThat(seen.detail()).contains("pid " + pid.getInt(1) + " (");
      assertThat(check(superuser, null, Duration.ofHours(1), LongTransactionCheck.NAME).outcome())
          .isEqualTo(CheckOutcome.OK);

      DoctorCheck hidden = check(cluster.config(role, "public"), null, Duration.ZERO, LongTransactionCheck.NAME);
      assertThat(hidden.outcome()).isEqualTo(CheckOutcome.NOT_CHECKED);
      assertThat(hidden.detail()).contains("hidden without pg_read_all_stats");
      holder.rollback();
    }
  }

  @Test
  void anOpenBreakerIsAProblemUntilReset() throws Exception {
    String schema = "breaker_" + Long.toHexString(System.nanoTime());
    DatabaseConfig config = DatabaseConfig.of(cluster.url(null)).withLedgerSchema(schema);
    assertThat(check(config, BreakerCheck.NAME).detail()).startsWith("No ledger in schema " + schema);

    installLedger(schema);
    assertThat(check(config, BreakerCheck.NAME).detail()).contains("is closed (0 of");
    try (Database database = Database.open(config, "breaker-test", 1); Connection connection = database.connection()) {
      CircuitBreaker breaker = new CircuitBreaker(new Ledger(database.dataSource(), schema), config.breakerName());
      for (int i = 0; i < 50 && !breaker.isOpen(connection); i++) {
        breaker.record(connection, false, "disk full");
      }
      DoctorCheck open = check(config, BreakerCheck.NAME);
      assertThat(open.outcome()).isEqualTo(CheckOutcome.PROBLEM);
      assertThat(open.detail()).contains("is open").contains("disk full");
      assertThat(open.fix()).contains("zdm breaker reset");

      breaker.reset(connection);
      assertThat(check(config, BreakerCheck.NAME).outcome()).isEqualTo(CheckOutcome.OK);
    }
  }

  private static void installLedger(String schema) throws Exception {
    try (Database database = Database.open(DatabaseConfig.of(cluster.url(null)), "ledger-install", 1)) {
      new Ledger(database.dataSource(), schema).install();
    }
  }
}
