package dev.zdm.planning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zdm.model.MigrationOptions;
import dev.zdm.model.Strategy;
import dev.zdm.model.plan.Plan;
import dev.zdm.model.plan.PlanStep;
import java.util.List;

/**
 * {@code zdm plan}: every step of a {@link Plan} with its phases' SQL, gates (deployment, approval,
 * time) and compensations, as text or JSON. Pure: strings out, the CLI prints them.
 */
public final class PlanRenderer {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final StepPlannings kinds = StepPlannings.all();
  private final MigrationOptions options;

  public PlanRenderer() {
    this(MigrationOptions.defaults());
  }

  public PlanRenderer(MigrationOptions options) {
    this.options = options;
  }

  public String text(Plan plan) {
    StringBuilder out = new StringBuilder("plan for " + plan.migrationId() + ": "
        + plan.steps().size() + " step(s)\n");
    int number = 1;
    for (PlanStep step : plan.steps()) {
      out.append('\n').append(number++).append(". [").append(kind(step)).append("] ")
          .append(step.describe()).append('\n');
      for (PlanPhase phase : kinds.phases(step, options)) {
        out.append("   - ").append(phase.name()).append('\n');
        if (phase.gate() != null) {
          out.append("       waits for ").append(phase.gate()).append('\n');
        }
        for (String sql : phase.sql()) {
          out.append("       ").append(sql.replace("\n", "\n       ")).append('\n');
        }
        for (String undo : phase.compensation()) {
          out.append("       undo: ").append(undo.replace("\n", "\n             ")).append('\n');
        }
        if (phase.irreversible()) {
          out.append("       ").append(PlanPhase.IRREVERSIBLE).append('\n');
        }
      }
    }
    for (String warning : plan.warnings()) {
      out.append("\nwarning: ").append(warning).append('\n');
    }
    return out.toString();
  }

  public String json(Plan plan) {
    ObjectNode root = JSON.createObjectNode();
    root.put("migrationId", plan.migrationId());
    ArrayNode steps = root.putArray("steps");
    for (PlanStep step : plan.steps()) {
      ObjectNode s = steps.addObject();
      s.put("kind", kind(step));
      s.put("description", step.describe());
      s.set("step", JSON.valueToTree(step));
      ArrayNode phaseArray = s.putArray("phases");
      for (PlanPhase phase : kinds.phases(step, options)) {
        ObjectNode p = phaseArray.addObject();
        p.put("name", phase.name());
        p.put("gate", phase.gate());
        strings(p.putArray("sql"), phase.sql());
        strings(p.putArray("compensation"), phase.compensation());
        p.put("irreversible", phase.irreversible());
      }
    }
    strings(root.putArray("warnings"), plan.warnings());
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  private static String kind(PlanStep step) {
    Strategy strategy = step.strategy();
    return strategy == null ? "direct" : strategy.cliName();
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }
}
