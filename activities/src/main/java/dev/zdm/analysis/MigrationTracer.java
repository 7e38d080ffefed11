package dev.zdm.analysis;

import dev.zdm.error.ErrorCode;
import dev.zdm.error.ZdmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * {@code zdm analyze --trace}: runs every statement of the files, in order, on the scratch
 * database, the way the file's runner would (one transaction for a Flyway file, ...), and reads
 * what PostgreSQL did: the locks the migrating session holds (pg_locks, from a second session,
 * before its transaction ends), rewrites (pg_relation_filenode before and after), full scans
 * (pg_stat_xact_user_tables) and its errors. Effects are committed, as on the real database, so
 * later statements and files see them; the scratch database is thrown away afterwards.
 */
public final class MigrationTracer {
  /** SQLSTATEs of a missing object: without --schema the scratch database simply lacks it. */
  private static final Set<String> MISSING_OBJECT =
      Set.of("42P01", "42703", "42704", "3F000", "42883", "42P07");
  private static final Pattern BEGIN = Pattern.compile("(?is)\\s*(begin|start\\s+transaction)\\b.*");
  private static final Pattern COMMIT = Pattern.compile("(?is)\\s*(commit|end)\\b.*");
  private static final Pattern CREATE_EXTENSION =
      Pattern.compile("(?is)\\s*create\\s+extension\\b.*");
  /**
   * Not run: cluster-wide objects (roles, databases, tablespaces, ALTER SYSTEM) would outlive the
   * scratch database, and privileges and owners name roles the scratch server does not have.
   */
  private static final Pattern NOT_RUN = Pattern.compile(
      "(?is)\\s*((create|alter|drop)\\s+(role|user|group|database|tablespace)\\b"
          + "|alter\\s+system\\b|grant\\b|revoke\\b|alter\\s+\\S+.*\\bowner\\s+to\\b).*");
  private static final Pattern ROLLBACK = Pattern.compile("(?is)\\s*(rollback|abort)\\b.*");
  private static final String RELATIONS = """
      SELECT c.oid::bigint, n.nspname || '.' || c.relname, pg_relation_filenode(c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'm')
         AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND n.nspname NOT LIKE 'pg\\_%'
      """;
  private static final String SCANS =
      "SELECT relid::bigint, seq_scan FROM pg_stat_xact_user_tables";
  private static final String LOCKS = """
      SELECT l.relation::bigint, l.mode
        FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
       WHERE l.pid = ? AND l.locktype = 'relation' AND l.granted AND c.relkind IN ('r', 'p', 'm')
      """;

  private final ScratchDatabase scratch;
  private final boolean schemaGiven;
  private final TracedDowntimeEstimator estimator;
  private final SqlSplitter splitter = new SqlSplitter();

  /** @param schemaGiven a missing table is then the migration's error, not the schema's absence */
  public MigrationTracer(ScratchDatabase scratch, boolean schemaGiven) {
    this(scratch, schemaGiven, null);
  }

  /** @param estimator times traced statements on the target's table sizes, or null for none */
  public MigrationTracer(
      ScratchDatabase scratch, boolean schemaGiven, TracedDowntimeEstimator estimator) {
    this.scratch = scratch;
    this.schemaGiven = schemaGiven;
    this.estimator = estimator;
  }

  /** Traces every file of {@code report} in order; the trace wins where the two disagree. */
  public AnalysisReport trace(AnalysisReport report) {
    List<FileAnalysis> traced = new ArrayList<>();
    try (Connection session = scratch.connect(); Connection observer = scratch.connect()) {
      for (FileAnalysis file : report.files()) {
        traced.add(TraceComparison.merge(file, traceFile(file, session, observer), estimator));
      }
    } catch (SQLException e) {
      throw new ZdmException(ErrorCode.UNREACHABLE, "zdm analyze --trace: the scratch database"
          + " failed (" + e.getSQLState() + ": " + e.getMessage() + ")", null, e);
    }
    return new AnalysisReport(traced);
  }

  private FileTrace traceFile(FileAnalysis file, Connection session, Connection observer)
      throws SQLException {
    Path path = Path.of(file.file());
    String text;
    MigrationScript script;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
      script = splitter.split(file.file(), text.startsWith("\uFEFF") ? text.substring(1) : text);
    } catch (IOException | ZdmException e) {
      return new FileTrace(List.of(), null, "not traced: " + e.getMessage(), List.of());
    }
    List<SqlStatement> statements = script.statements();
    boolean allOutside = !file.statements().isEmpty()
        && file.statements().stream().noneMatch(StatementAnalysis::transactional);
    boolean wholeFile = FileTransaction.of(path, text).wraps(statements.size()) && !allOutside;
    int pid = ServerPid.of(session);
    Set<Long> existing = relations(session).keySet();
    List<TracedStatement> done = new ArrayList<>();
    boolean explicit = false;
    session.setAutoCommit(false);
    try {
      for (SqlStatement statement : statements) {
        String sql = statement.sql();
        if (BEGIN.matcher(sql).matches()) {
          explicit = true;
          continue;
        }
        if (COMMIT.matcher(sql).matches() || ROLLBACK.matcher(sql).matches()) {
          if (ROLLBACK.matcher(sql).matches()) {
            session.rollback();
          } else {
            session.commit();
          }
          explicit = false;
          continue;
        }
        if (NOT_RUN.matcher(sql).matches()) {
          done.add(new TracedStatement(statement.line(), Map.of(), Map.of(), false, List.of(),
              List.of(), null, false));
          continue;
        }
        boolean inTransaction = explicit || wholeFile;
        boolean outside = !inTransaction && !transactional(file, statement.line());
        try {
          List<String> tables = staticTables(file, statement.line());
          done.add(outside ? runOutside(session, statement, existing, tables)
              : runObserved(session, observer, pid, statement, existing, tables));
        } catch (SQLException e) {
          session.rollback();
          String message = firstLine(e.getMessage());
          int line = errorLine(statement, e);
          done.add(new TracedStatement(line, Map.of(), Map.of(), false, List.of(), List.of(),
              message, false));
          if (CREATE_EXTENSION.matcher(sql).matches()) {
            return new FileTrace(done, null, "trace stopped at line " + line + ": " + message
                + " (the scratch server lacks an extension the real database has)", List.of());
          }
          if (!schemaGiven && MISSING_OBJECT.contains(e.getSQLState())) {
            return new FileTrace(done, null, "trace stopped at line " + line + ": " + message
                + " (the scratch database has no schema: pass --schema)", List.of());
          }
          return new FileTrace(done, file.file() + ":" + line + ": PostgreSQL says: " + message,
              null, List.of());
        }
        if (!inTransaction) {
          session.commit();
        }
      }
      session.commit();
    } finally {
      if (!session.getAutoCommit()) {
        session.rollback();
      }
      session.setAutoCommit(true);
    }
    return new FileTrace(done, null, null, List.of());
  }

  private static List<String> staticTables(FileAnalysis file, int line) {
    return file.statements().stream().filter(s -> s.line() == line).findFirst()
        .map(StatementAnalysis::tables).orElse(List.of());
  }

  /** True when the statement's main table is, under that name, a table older than the file. */
  private static boolean mainTableExisting(
      Map<Long, Relation> before, Set<Long> existing, List<String> tables) {
    return !tables.isEmpty() && before.entrySet().stream()
        .anyMatch(e -> existing.contains(e.getKey()) && tables.get(0).equals(e.getValue().name()));
  }

  private static boolean transactional(FileAnalysis file, int line) {
    return file.statements().stream().filter(s -> s.line() == line).findFirst()
        .map(StatementAnalysis::transactional).orElse(true);
  }

  /** CONCURRENTLY, VACUUM: run for real outside a transaction; locks cannot be read after. */
  private TracedStatement runOutside(Connection session, SqlStatement statement,
      Set<Long> existing, List<String> tables) throws SQLException {
    session.commit();
    session.setAutoCommit(true);
    try {
      Map<Long, Relation> before = relations(session);
      try (Statement s = session.createStatement()) {
        s.execute(statement.sql());
      }
      Map<Long, Relation> after = relations(session);
      return new TracedStatement(statement.line(), Map.of(), Map.of(), false,
          rewritten(before, after, existing), List.of(), null,
          mainTableExisting(before, existing, tables));
    } finally {
      session.setAutoCommit(false);
    }
  }

  private TracedStatement runObserved(Connection session, Connection observer, int pid,
      SqlStatement statement, Set<Long> existing, List<String> tables) throws SQLException {
    Map<Long, Relation> before = relations(session);
    Map<Long, Long> scansBefore = scans(session);
    Map<Long, Set<LockMode>> locksBefore = locks(observer, pid);
    try (Statement s = session.createStatement()) {
      s.execute(statement.sql());
    }
    Map<Long, Set<LockMode>> locksAfter = locks(observer, pid);
    Map<Long, Relation> after = relations(session);
    Map<Long, Long> scansAfter = scans(session);
    Map<String, LockMode> taken = new LinkedHashMap<>();
    Map<String, LockMode> held = new LinkedHashMap<>();
    for (Map.Entry<Long, Set<LockMode>> entry : locksAfter.entrySet()) {
      Relation relation = before.get(entry.getKey());
      if (relation == null || !existing.contains(entry.getKey())) {
        continue;
      }
      Set<LockMode> earlier = locksBefore.getOrDefault(entry.getKey(), Set.of());
      for (LockMode mode : entry.getValue()) {
        held.merge(relation.name(), mode, LockMode::strongest);
        if (!earlier.contains(mode)) {
          taken.merge(relation.name(), mode, LockMode::strongest);
        }
      }
    }
    List<String> scanned = new ArrayList<>();
    for (Map.Entry<Long, Long> entry : scansAfter.entrySet()) {
      Relation relation = before.get(entry.getKey());
      if (relation != null && existing.contains(entry.getKey())
          && entry.getValue() > scansBefore.getOrDefault(entry.getKey(), 0L)) {
        scanned.add(relation.name());
      }
    }
    return new TracedStatement(statement.line(), taken, held, true,
        rewritten(before, after, existing), scanned, null,
        mainTableExisting(before, existing, tables));
  }

  private record Relation(String name, long filenode) {}

  private static List<String> rewritten(
      Map<Long, Relation> before, Map<Long, Relation> after, Set<Long> existing) {
    List<String> rewritten = new ArrayList<>();
    for (Map.Entry<Long, Relation> entry : before.entrySet()) {
      Relation now = after.get(entry.getKey());
      if (!existing.contains(entry.getKey())) {
        continue;
      }
      if (now != null && entry.getValue().filenode() != 0
          && now.filenode() != entry.getValue().filenode()) {
        rewritten.add(now.name());
      }
    }
    return rewritten;
  }

  private static Map<Long, Relation> relations(Connection session) throws SQLException {
    Map<Long, Relation> relations = new HashMap<>();
    try (Statement s = session.createStatement(); ResultSet rows = s.executeQuery(RELATIONS)) {
      while (rows.next()) {
        relations.put(rows.getLong(1), new Relation(rows.getString(2), rows.getLong(3)));
      }
    }
    return relations;
  }

  private static Map<Long, Long> scans(Connection session) throws SQLException {
    Map<Long, Long> scans = new HashMap<>();
    try (Statement s = session.createStatement(); ResultSet rows = s.executeQuery(SCANS)) {
      while (rows.next()) {
        scans.put(rows.getLong(1), rows.getLong(2));
      }
    }
    return scans;
  }

  private static Map<Long, Set<LockMode>> locks(Connection observer, int pid)
      throws SQLException {
    Map<Long, Set<LockMode>> locks = new HashMap<>();
    try (PreparedStatement s = observer.prepareStatement(LOCKS)) {
      s.setInt(1, pid);
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          locks.computeIfAbsent(rows.getLong(1), k -> new HashSet<>())
              .add(LockMode.fromPgName(rows.getString(2)));
        }
      }
    }
    return locks;
  }

  /**
   * The file line of PostgreSQL's error: its position (a character offset in the statement) when
   * it gives one; else the first place the statement names the object the message quotes
   * ({@code column "stauts" ... does not exist}); else the statement's first line.
   */
  private static int errorLine(SqlStatement statement, SQLException e) {
    String sql = statement.sql();
    if (e instanceof PSQLException psql) {
      ServerErrorMessage server = psql.getServerErrorMessage();
      if (server != null && server.getPosition() > 0) {
        return statement.line() + newlines(sql, Math.min(server.getPosition() - 1, sql.length()));
      }
    }
    java.util.regex.Matcher quoted = QUOTED_NAME.matcher(e.getMessage() == null ? "" : e.getMessage());
    if (quoted.find()) {
      java.util.regex.Matcher named = Pattern.compile("(?i)(?<![\\w$])\"?"
          + Pattern.quote(quoted.group(1)) + "\"?(?![\\w$])").matcher(sql);
      if (named.find()) {
        return statement.line() + newlines(sql, named.start());
      }
    }
    return statement.line();
  }

  private static final Pattern QUOTED_NAME = Pattern.compile("\"([^\"]+)\"");

  private static int newlines(String sql, int end) {
    int count = 0;
    for (int i = 0; i < end; i++) {
      if (sql.charAt(i) == '\n') {
        count++;
      }
    }
    return count;
  }

  private static String firstLine(String message) {
    String m = message == null ? "" : message.strip();
    if (m.startsWith("ERROR: ")) {
      m = m.substring("ERROR: ".length());
    }
    int newline = m.indexOf('\n');
    return newline < 0 ? m : m.substring(0, newline).strip();
  }

  /** The backend process id of a session. */
  private static final class ServerPid {
    private ServerPid() {}

    static int of(Connection connection) throws SQLException {
      try (Statement s = connection.createStatement();
          ResultSet rows = s.executeQuery("SELECT pg_backend_pid()")) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }
}
