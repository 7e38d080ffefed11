package dev.zdm.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.model.TableRef;
import dev.zdm.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs each form in the rule table against the real PostgreSQL, in its own schema, and checks the
 * lock modes (pg_locks, read from the same backend before commit) and the rewrite
 * (pg_relation_filenode before and after) against what {@link LockRules} says.
 */
class LockFactsTest {
  private static final String SETUP = """
      CREATE TABLE parent (id int PRIMARY KEY, v int);
      CREATE TABLE t (id int PRIMARY KEY, a varchar(10), b int, c numeric(10,2), pid int);
      INSERT INTO parent SELECT g, g FROM generate_series(1, 50) g;
      INSERT INTO t SELECT g, 'x', g, 1, 1 FROM generate_series(1, 50) g;
      CREATE INDEX t_b_idx ON t (b);
      CREATE TABLE parted (id int, k int) PARTITION BY RANGE (k);
      CREATE TABLE part1 (id int, k int);
      CREATE UNLOGGED TABLE u (id int);
      INSERT INTO u VALUES (1);
      CREATE TYPE mood AS ENUM ('a');
      """;

  private Connection connection;
  private String schema;

  static Stream<String> forms() {
    return Stream.of(
        "ALTER TABLE t ADD COLUMN d int",
        "ALTER TABLE t ADD COLUMN d int DEFAULT 5",
        "ALTER TABLE t ADD COLUMN d timestamptz DEFAULT now()",
        "ALTER TABLE t ADD COLUMN d uuid DEFAULT gen_random_uuid()",
        "ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 0",
        "ALTER TABLE t ADD COLUMN d serial",
        "ALTER TABLE t ADD COLUMN d bigint GENERATED ALWAYS AS IDENTITY",
        "ALTER TABLE t ADD COLUMN d int GENERATED ALWAYS AS (b * 2) STORED",
        "ALTER TABLE t ADD COLUMN d int REFERENCES parent (id)",
        "ALTER TABLE t ADD COLUMN d int DEFAULT 1 REFERENCES parent (id)",
        "ALTER TABLE t DROP COLUMN b",
        "ALTER TABLE t RENAME COLUMN b TO bb",
        "ALTER TABLE t ALTER COLUMN a TYPE varchar(20)",
        "ALTER TABLE t ALTER COLUMN a TYPE text",
        "ALTER TABLE t ALTER COLUMN a TYPE varchar(5)",
        "ALTER TABLE t ALTER COLUMN b TYPE bigint",
        "ALTER TABLE t ALTER COLUMN c TYPE numeric(12,2)",
        "ALTER TABLE t ALTER COLUMN b SET NOT NULL",
        "ALTER TABLE t ALTER COLUMN b DROP NOT NULL",
        "ALTER TABLE t ALTER COLUMN b SET DEFAULT 1",
        "ALTER TABLE t ALTER COLUMN b DROP DEFAULT",
        "ALTER TABLE t ALTER COLUMN b SET STATISTICS 100",
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0)",
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0) NOT VALID",
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES parent (id)",
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES parent (id) NOT VALID",
        "ALTER TABLE t ADD CONSTRAINT uq UNIQUE (b)",
        "ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX t_b_uq",
        "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING btree (b WITH =)",
        "ALTER TABLE t VALIDATE CONSTRAINT t_b_nv",
        "ALTER TABLE t DROP CONSTRAINT t_b_nv",
        "ALTER TABLE t RENAME TO t2",
        "ALTER TABLE t SET (fillfactor = 70)",
        "ALTER TABLE t DISABLE TRIGGER ALL",
        "ALTER TABLE u SET LOGGED",
        "ALTER TABLE t SET UNLOGGED",
        "ALTER TABLE parted ATTACH PARTITION part1 FOR VALUES FROM (0) TO (10)",
        "ALTER TABLE parted DETACH PARTITION part0",
        "CREATE TABLE part2 PARTITION OF parted FOR VALUES FROM (10) TO (20)",
        "CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
        "DROP TRIGGER t_trg ON t",
        "CREATE INDEX i ON t (b)",
        "CREATE UNIQUE INDEX i ON t (id, b)",
        "REINDEX TABLE t",
        "TRUNCATE t",
        "CLUSTER t USING t_pkey",
        "DROP TABLE t",
        "COMMENT ON TABLE t IS 'x'",
        "UPDATE t SET a = 'y'",
        "DELETE FROM t WHERE b > 10",
        "ALTER TYPE mood ADD VALUE 'b'");
  }

  @BeforeEach
  void createSchema() throws SQLException {
    connection = DriverManager.getConnection(databaseUrl());
    schema = "zdm_lock_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
      s.execute("SET search_path = " + schema);
      s.execute(SETUP);
      s.execute("CREATE UNIQUE INDEX t_b_uq ON t (b)");
      s.execute("ALTER TABLE t ADD CONSTRAINT t_b_nv CHECK (b > 0) NOT VALID");
      s.execute("CREATE TABLE part0 PARTITION OF parted FOR VALUES FROM (-10) TO (0)");
      s.execute("CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION"
          + " suppress_redundant_updates_trigger()");
    }
  }

  @AfterEach
  void dropSchema() throws SQLException {
    try (Statement s = connection.createStatement()) {
      connection.setAutoCommit(true);
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } finally {
      connection.close();
    }
  }

  @ParameterizedTest
  @MethodSource("forms")
  void ruleTableMatchesTheServer(String sql) throws SQLException {
    SqlStatement statement = new SqlStatement(1, sql, null);
    List<Action> actions = new StatementClassifier().classify(statement);
    assertThat(actions).hasSize(1);
    Action action = actions.get(0);
    LockFacts facts = new LockRules(knownTypes()).facts(action);

    Long before = filenode(action.table());
    Map<String, Long> oids = new HashMap<>();
    for (TableLock lock : facts.locks()) {
      oids.put(lock.table().name(), oid(lock.table()));
    }
    connection.setAutoCommit(false);
    Map<Long, LockMode> observed;
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
      observed = locksHeldByThisBackend();
      connection.commit();
    } finally {
      connection.setAutoCommit(true);
    }
    for (TableLock lock : facts.locks()) {
      assertThat(observed.get(oids.get(lock.table().name())))
          .as("strongest lock on %s for: %s", lock.table().name(), sql)
          .isEqualTo(lock.mode());
    }
    if (before != null && !action.kind().equals(ActionKind.DROP_TABLE)
        && action.kind() != ActionKind.RENAME_TABLE) {
      assertThat(!before.equals(filenode(action.table())))
          .as("rewrite for: %s", sql).isEqualTo(facts.rewrite());
    }
    assertThat(facts.transactional()).as("may run in a transaction: %s", sql).isTrue();
  }

  /**
   * A column added with a default and REFERENCES is checked row by row (a default missing from the
   * parent fails the ALTER); without a default PostgreSQL skips the check, as the rule table says.
   */
  @Test
  void addColumnReferencesIsCheckedAgainstEveryRowOnlyWithADefault() throws SQLException {
    String withDefault = "ALTER TABLE t ADD COLUMN d int DEFAULT 999 REFERENCES parent (id)";
    String withoutDefault = "ALTER TABLE t ADD COLUMN e int REFERENCES parent (id)";
    LockRules rules = new LockRules(knownTypes());

    assertThat(rules.facts(classifyOne(withDefault)).scanUnderLock()).isTrue();
    assertThat(rules.facts(classifyOne(withoutDefault)).scanUnderLock()).isFalse();
    try (Statement s = connection.createStatement()) {
      assertThatThrownBy(() -> s.execute(withDefault))
          .hasMessageContaining("violates foreign key constraint");
      s.execute(withoutDefault);
    }
  }

  private static Action classifyOne(String sql) {
    List<Action> actions = new StatementClassifier().classify(new SqlStatement(1, sql, null));
    assertThat(actions).hasSize(1);
    return actions.get(0);
  }

  @Test
  void createIndexConcurrentlyTakesShareUpdateExclusiveAndRefusesTransactions() throws Exception {
    String sql = "CREATE INDEX CONCURRENTLY t_a_idx ON t (a)";
    LockFacts facts = new LockRules(new ColumnTypes())
        .facts(new StatementClassifier().classify(new SqlStatement(1, sql, null)).get(0));
    try (Connection blocker = DriverManager.getConnection(databaseUrl());
        Connection builder = DriverManager.getConnection(databaseUrl())) {
      int builderPid = pid(builder);
      blocker.setAutoCommit(false);
      try (Statement s = blocker.createStatement()) {
        s.execute("INSERT INTO " + schema + ".t VALUES (1000, 'y', 1000, 1, 1)");
      }
      CompletableFuture<Void> build = CompletableFuture.runAsync(() -> {
        try (Statement s = builder.createStatement()) {
          s.execute("SET search_path = " + schema);
          s.execute(sql);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      LockMode held = awaitLock(builderPid, "t");
      blocker.commit();
      build.get(60, TimeUnit.SECONDS);
      assertThat(held).isEqualTo(facts.mainMode()).isEqualTo(LockMode.SHARE_UPDATE_EXCLUSIVE);
    }
    assertThat(facts.transactional()).isFalse();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      assertThat(org.assertj.core.api.Assertions.catchThrowable(
          () -> s.execute("CREATE INDEX CONCURRENTLY t_c_idx ON t (c)")))
          .hasMessageContaining("cannot run inside a transaction block");
    } finally {
      connection.rollback();
      connection.setAutoCommit(true);
    }
  }

  /** Polls pg_locks from this test's own connection until the builder holds a lock on the table. */
  private LockMode awaitLock(int pid, String table) throws Exception {
    String query = """
        SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE l.pid = ? AND l.granted AND c.relname = ? AND n.nspname = ?
        """;
    for (int attempt = 0; attempt < 600; attempt++) {
      try (PreparedStatement s = connection.prepareStatement(query)) {
        s.setInt(1, pid);
        s.setString(2, table);
        s.setString(3, schema);
        try (ResultSet rows = s.executeQuery()) {
          LockMode strongest = null;
          while (rows.next()) {
            LockMode mode = LockMode.fromPgName(rows.getString(1));
            strongest = strongest == null ? mode : strongest.strongest(mode);
          }
          if (strongest != null) {
            return strongest;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the concurrent index build never took its lock");
  }

  /** Strongest mode per relation oid (by oid: a renamed or dropped table keeps its lock row). */
  private Map<Long, LockMode> locksHeldByThisBackend() throws SQLException {
    String query = """
        SELECT l.relation::bigint, l.mode FROM pg_locks l
         WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
        """;
    Map<Long, LockMode> strongest = new HashMap<>();
    try (PreparedStatement s = connection.prepareStatement(query)) {
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          strongest.merge(rows.getLong(1), LockMode.fromPgName(rows.getString(2)),
              LockMode::strongest);
        }
      }
    }
    return strongest;
  }

  private Long oid(TableRef table) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("SELECT to_regclass(?)::oid::bigint")) {
      s.setString(1, schema + "." + table.name());
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private Long filenode(TableRef table) throws SQLException {
    if (table == null) {
      return null;
    }
    try (PreparedStatement s = connection.prepareStatement(
        "SELECT pg_relation_filenode(to_regclass(?))")) {
      s.setString(1, schema + "." + table.name());
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        long node = rows.getLong(1);
        return rows.wasNull() ? null : node;
      }
    }
  }

  private static int pid(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  /** The column types of the SETUP tables, as a directory run would have learnt them. */
  private static ColumnTypes knownTypes() {
    ColumnTypes types = new ColumnTypes();
    TableRef t = TableRef.of("t");
    types.remember(t, "a", "varchar(10)");
    types.remember(t, "b", "int");
    types.remember(t, "c", "numeric(10,2)");
    return types;
  }

  static String databaseUrl() {
    return TestDatabase.url();
  }
}
