package dev.zdm.workflow;

import dev.zdm.model.DeploymentSignal;
import dev.zdm.model.RollbackRequest;
import java.util.Map;

/**
 * The controls a strategy workflow has received and not yet acted on, handed to its next run on
 * continue-as-new so that none is lost.
 *
 * @param deployments deployment signals by stage ("" for one sent without a stage)
 * @param rollback a rollback requested during the run that continued, or null
 */
public record InboxCarry(Map<String, DeploymentSignal> deployments, RollbackRequest rollback) {
  public InboxCarry {
    deployments = deployments == null ? Map.of() : Map.copyOf(deployments);
  }
}
