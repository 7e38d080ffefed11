package dev.zdm.engine.droptable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zdm.droptable.ArchivedTable;
import dev.zdm.droptable.DropTableRequest;
import dev.zdm.droptable.TableDeprecation;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.TableRef;
import dev.zdm.postgres.Identifiers;
import dev.zdm.testing.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dropping a table on PostgreSQL: the move aside is a rename that keeps rows, grants, indexes and
 * the owned sequence; the move back restores the table under its name; the drop after the
 * retention drops only the table zdm moved.
 */
class DropTableActivitiesTest {
  private static final int ROWS = 2_000;

  private TestDatabase db;
  private String archiveSchema;
  private String reader;
  private DropTableActivitiesImpl activities;
  private DropTableRequest request;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create("drop_table");
    archiveSchema = db.schema() + "_archive";
    reader = "zdm_test_reader_" + UUID.randomUUID().toString().substring(0, 8);
    db.execute("CREATE ROLE " + reader);
    db.execute("""
        CREATE TABLE {schema}.sessions (id bigserial PRIMARY KEY, token text NOT NULL, seen_at timestamptz);
        CREATE INDEX sessions_token_idx ON {schema}.sessions (token);
        INSERT INTO {schema}.sessions (token) SELECT 't' || n FROM generate_series(1, %d) n;
        COMMENT ON TABLE {schema}.sessions IS 'login sessions';
        GRANT SELECT ON {schema}.sessions TO %s;
        ANALYZE {schema}.sessions;
        """.formatted(ROWS, reader));
    activities = new DropTableActivitiesImpl(db.target(), archiveSchema);
    request = request("m-drop-sessions", false);
  }

  @AfterEach
  void tearDown() {
    db.execute("DROP SCHEMA IF EXISTS " + Identifiers.quote(archiveSchema) + " CASCADE");
    db.execute("DROP OWNED BY " + reader);
    db.execute("DROP ROLE " + reader);
    db.close();
  }

  private DropTableRequest request(String migrationId, boolean ifExists) {
    return new DropTableRequest(migrationId, new TableRef(db.schema(), "sessions"), ifExists, Duration.ofDays(7),
        new MigrationOptions(Duration.ZERO, null, null, false, false));
  }

  private long count(String sql) {
    return db.queryLong(sql.replace("{archive}", archiveSchema));
  }

  @Test
  void movingAsideKeepsRowsGrantsIndexesAndSequenceAndMovingBackRestoresTheTable() {
    TableDeprecation deprecation = activities.deprecateTable(request);
    assertThat(deprecation.state()).isEqualTo(TableDeprecation.State.DEPRECATED);
    assertThat(db.queryString("SELECT obj_description('{schema}.sessions'::regclass, 'pg_class')"))
        .startsWith("DEPRECATED by zdm migration m-drop-sessions");
    assertThat(activities.deprecateTable(request)).isEqualTo(deprecation);

    ArchivedTable archived = activities.moveAside(request);

    TableRef archive = archived.archive();
    assertThat(archive.schema()).isEqualTo(archiveSchema);
    assertThat(archive.name()).startsWith("sessions_");
    assertThat(count("SELECT count(*) FROM pg_class WHERE relnamespace = '{schema}'::regnamespace"
        + " AND relname = 'sessions'")).isZero();
    String a = Identifiers.quote(archive);
    assertThat(count("SELECT count(*) FROM " + a + " WHERE token = 't' || id")).isEqualTo(ROWS);
    assertThat(count("SELECT count(*) FROM pg_indexes WHERE schemaname = '{archive}' AND indexname = 'sessions_token_idx'"))
        .isEqualTo(1);
    assertThat(db.queryString("SELECT has_table_privilege('" + reader + "', '" + a.replace("'", "''") + "', 'SELECT')::text"))
        .isEqualTo("true");
    assertThat(db.queryString("SELECT string_agg(nspname, ',') FROM pg_class c JOIN pg_namespace n"
        + " ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND c.relname = 'sessions_id_seq'"
        + " AND n.nspname IN ('{schema}', '" + archiveSchema + "')")).isEqualTo(archiveSchema);
    assertThat(db.queryString("SELECT archive_table FROM {schema}._migration_deprecations")).isEqualTo(archive.displayName());
    assertThat(activities.moveAside(request)).isEqualTo(archived);
    assertThatThrownBy(() -> activities.removeTableDeprecation(request))
        .hasMessageContaining("is still moved aside as " + archive.displayName());

    activities.moveBack(request);
    activities.moveBack(request);

    assertThat(count("SELECT count(*) FROM {schema}.sessions WHERE token = 't' || id")).isEqualTo(ROWS);
    db.execute("INSERT INTO {schema}.sessions (token) VALUES ('after')");
    assertThat(count("SELECT max(id) FROM {schema}.sessions")).isEqualTo(ROWS + 1);
    assertThat(db.queryString("SELECT has_table_privilege('" + reader + "', '{schema}.sessions', 'SELECT')::text"))
        .isEqualTo("true");
    assertThat(db.queryString("SELECT archive_table FROM {schema}._migration_deprecations")).isNull();

    activities.removeTableDeprecation(request);

    assertThat(db.queryString("SELECT obj_description('{schema}.sessions'::regclass, 'pg_class')"))
        .isEqualTo("login sessions");
    assertThat(count("SELECT count(*) FROM {schema}._migration_deprecations")).isZero();
  }

  @Test
  void afterTheRetentionOnlyTheTableZdmMovedIsDroppedAndTheLedgerSaysSo() {
    activities.deprecateTable(request);
    ArchivedTable archived = activities.moveAside(request);

    assertThat(activities.checkArchived(request, archived)).contains("is the table zdm moved aside");
    activities.dropArchived(request, archived);
    activities.dropArchived(request, archived);

    assertThat(count("SELECT count(*) FROM pg_class WHERE relname = '" + archived.archive().name() + "'")).isZero();
    assertThat(db.queryString("SELECT status FROM {schema}._migration_deprecations")).isEqualTo("removed");
    assertThat(activities.deprecateTable(request).state()).isEqualTo(TableDeprecation.State.REMOVED);
  }

  @Test
  void aTableSwappedInUnderTheArchiveNameOrAViewAddedOnItStopsTheDrop() {
    activities.deprecateTable(request);
    ArchivedTable archived = activities.moveAside(request);
    String a = Identifiers.quote(archived.archive());
    db.execute("CREATE VIEW {schema}.still_reading AS SELECT id FROM " + a);

    assertThatThrownBy(() -> activities.checkArchived(request, archived))
        .isInstanceOf(ApplicationFailure.class)
        .hasMessageContaining("view " + db.schema() + ".still_reading depends on it")
        .hasMessageContaining("Nothing was dropped");

    db.execute("DROP VIEW {schema}.still_reading");
    db.execute("ALTER TABLE " + a + " RENAME TO impostor_was_here");
    db.execute("CREATE TABLE " + a + " (id bigint)");
    db.execute("COMMENT ON TABLE " + a + " IS " + Identifiers.literal(
        TableArchive.ownerMark(request.migrationId(), request.table())));

    assertThatThrownBy(() -> activities.dropArchived(request, archived))
        .hasMessageContaining("is another table (oid");
    assertThat(count("SELECT count(*) FROM pg_class WHERE relnamespace = '{archive}'::regnamespace"
        + " AND relname IN ('impostor_was_here', '" + archived.archive().name() + "')")).isEqualTo(2);
  }

  @Test
  void moveBackRefusesWhenTheNameWasTakenAndBadInputIsNamed() {
    activities.deprecateTable(request);
    activities.moveAside(request);
    db.execute("CREATE TABLE {schema}.sessions (id int)");

    assertThatThrownBy(() -> activities.moveBack(request))
        .hasMessageContaining("cannot move")
        .hasMessageContaining("exists now");

    db.execute("DROP TABLE {schema}.sessions");
    assertThatThrownBy(() -> activities.deprecateTable(request("m-missing", false)))
        .hasMessageContaining("sessions does not exist");
    assertThat(activities.deprecateTable(request("m-missing-ok", true)).state())
        .isEqualTo(TableDeprecation.State.ABSENT);
    db.execute("CREATE VIEW {schema}.sessions AS SELECT 1 AS id");
    assertThatThrownBy(() -> activities.deprecateTable(request("m-view", false)))
        .hasMessageContaining("is a view");
  }
}
