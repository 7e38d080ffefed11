package dev.zdm.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code zdm analyze --format json}: the stable contract documented in docs/analysis.md. Fields
 * are written explicitly (not by reflection) so a refactoring cannot change the contract.
 */
public final class JsonReportRenderer {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What PostgreSQL did for the statement in trace mode; {@code "ran": false} when not run. */
  static void traced(ObjectNode n, TracedStatement t) {
    n.put("ran", t != null);
    if (t == null) {
      return;
    }
    n.put("observed", t.observed());
    ObjectNode taken = n.putObject("locksTaken");
    t.locksTaken().forEach((table, mode) -> taken.put(table, mode.pgName()));
    ObjectNode held = n.putObject("locksHeld");
    t.locksHeld().forEach((table, mode) -> held.put(table, mode.pgName()));
    ArrayNode rewritten = n.putArray("rewritten");
    t.rewritten().forEach(rewritten::add);
    ArrayNode scanned = n.putArray("scanned");
    t.scanned().forEach(scanned::add);
    n.put("error", t.error());
    TracedEstimate e = t.estimate();
    if (e == null) {
      n.putNull("estimate");
      return;
    }
    ObjectNode estimate = n.putObject("estimate");
    estimate.put("lockMode", e.lock().pgName());
    estimate.put("estimatedLockMillis", e.estimate().lockMillis());
    estimate.put("estimateBasis", e.estimate().basis());
    estimate.put("complete", e.complete());
    ArrayNode changed = estimate.putArray("changedFacts");
    e.changedFacts().forEach(changed::add);
  }

  public String render(AnalysisReport report) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode files = root.putArray("files");
    for (FileAnalysis file : report.files()) {
      ObjectNode f = files.addObject();
      f.put("file", file.file());
      f.put("safe", file.error() == null && file.safe());
      f.put("verdict", file.verdict());
      f.put("recommendedStrategy", file.recommendedStrategy().displayName());
      f.put("error", file.error());
      if (file.trace() != null) {
        ObjectNode trace = f.putObject("trace");
        trace.put("error", file.trace().error());
        trace.put("stopped", file.trace().stopped());
        ArrayNode disagreements = trace.putArray("disagreements");
        file.trace().disagreements().forEach(disagreements::add);
      }
      ArrayNode statements = f.putArray("statements");
      for (StatementAnalysis s : file.statements()) {
        ObjectNode n = statements.addObject();
        n.put("line", s.line());
        n.put("kind", s.kind());
        ArrayNode tables = n.putArray("tables");
        s.tables().forEach(tables::add);
        n.put("lockMode", s.lockMode() == LockMode.NONE ? null : s.lockMode().pgName());
        n.put("blocksReads", s.blocksReads());
        n.put("blocksWrites", s.blocksWrites());
        n.put("rewrite", s.rewrite());
        n.put("scanUnderLock", s.scanUnderLock());
        n.put("transactional", s.transactional());
        n.put("safe", s.safe());
        n.put("verdict", s.verdict());
        n.put("dependsOn", s.dependsOn());
        n.put("strategy", s.strategy().displayName());
        n.put("reason", s.reason());
        n.put("saferSql", s.saferSql());
        if (file.trace() != null) {
          traced(n.putObject("traced"), file.trace().at(s.line()));
        }
        if (s.estimate() == null) {
          n.putNull("estimatedLockMillis");
          n.putNull("estimateBasis");
        } else {
          n.put("estimatedLockMillis", s.estimate().lockMillis());
          n.put("estimateBasis", s.estimate().basis());
        }
      }
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
