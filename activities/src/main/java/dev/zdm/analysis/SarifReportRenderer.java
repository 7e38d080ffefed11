package dev.zdm.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code zdm analyze --format sarif}: SARIF 2.1.0, one result per unsafe statement (rule id
 * {@code zdm/<strategy>}) and one per unreadable file ({@code zdm/bad-input}), so CI systems show
 * the finding on the line.
 */
public final class SarifReportRenderer {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  private static final String BAD_INPUT_RULE = "zdm/bad-input";
  private static final String DEPENDS_RULE = "zdm/depends-on-current-schema";
  private static final String TRACE_RULE = "zdm/trace-disagreement";

  public String render(AnalysisReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "zdm");
    driver.put("informationUri", "https://github.com/zdm/zdm");
    Map<String, String> rules = new LinkedHashMap<>();
    ArrayNode results = run.putArray("results");
    for (FileAnalysis file : report.files()) {
      if (file.error() != null) {
        rules.put(BAD_INPUT_RULE, "The file is not valid PostgreSQL or cannot be read.");
        ObjectNode result = result(results, BAD_INPUT_RULE, "error", file.error());
        location(result, file.file(), lineOf(file));
        continue;
      }
      for (StatementAnalysis s : file.statements()) {
        if (s.safe()) {
          continue;
        }
        if (s.dependsOn() != null) {
          rules.put(DEPENDS_RULE, "Safe or not depending on the current schema, which zdm did not"
              + " see (pass --schema or --database-url).");
          location(result(results, DEPENDS_RULE, "warning", s.kind() + ": depends on "
              + s.dependsOn()), file.file(), s.line());
          continue;
        }
        String rule = "zdm/" + s.strategy().displayName();
        rules.put(rule, "Unsafe on a live table; use the " + s.strategy().displayName()
            + " strategy.");
        String text = s.kind() + ": " + s.reason() + " Use " + s.strategy().displayName()
            + (s.saferSql() == null ? "." : ": " + s.saferSql());
        ObjectNode result = result(results, rule, "error", text);
        location(result, file.file(), s.line());
        if (s.estimate() != null || file.trace() != null) {
          ObjectNode properties = result.putObject("properties");
          if (s.estimate() != null) {
            properties.put("estimatedLockMillis", s.estimate().lockMillis());
            properties.put("estimateBasis", s.estimate().basis());
          }
          if (file.trace() != null) {
            JsonReportRenderer.traced(properties.putObject("traced"), file.trace().at(s.line()));
          }
        }
      }
      if (file.trace() != null) {
        for (String disagreement : file.trace().disagreements()) {
          rules.put(TRACE_RULE, "zdm's static verdict and what PostgreSQL did differ; the trace"
              + " wins.");
          location(result(results, TRACE_RULE, "note", disagreement), file.file(),
              disagreementLine(disagreement));
        }
      }
    }
    ArrayNode ruleArray = driver.putArray("rules");
    rules.forEach((id, description) -> {
      ObjectNode rule = ruleArray.addObject();
      rule.put("id", id);
      rule.putObject("shortDescription").put("text", description);
    });
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  private static ObjectNode result(ArrayNode results, String rule, String level, String text) {
    ObjectNode result = results.addObject();
    result.put("ruleId", rule);
    result.put("level", level);
    result.putObject("message").put("text", text);
    return result;
  }

  private static void location(ObjectNode result, String file, int line) {
    ObjectNode physical = result.putArray("locations").addObject().putObject("physicalLocation");
    physical.putObject("artifactLocation").put("uri", file.replace('\\', '/'));
    physical.putObject("region").put("startLine", Math.max(1, line));
  }

  /** The line in a {@code line N (...): ...} disagreement, or 1. */
  private static int disagreementLine(String disagreement) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^line (\\d+)").matcher(disagreement);
    return m.find() ? Integer.parseInt(m.group(1)) : 1;
  }

  /** The line in a {@code file:line: reason} error, or 1. */
  private static int lineOf(FileAnalysis file) {
    String prefix = file.file() + ":";
    if (file.error().startsWith(prefix)) {
      String rest = file.error().substring(prefix.length());
      int colon = rest.indexOf(':');
      if (colon > 0) {
        try {
          return Integer.parseInt(rest.substring(0, colon));
        } catch (NumberFormatException e) {
          return 1;
        }
      }
    }
    return 1;
  }
}
