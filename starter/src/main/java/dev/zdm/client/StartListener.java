package dev.zdm.client;

/** What {@code zdm start} reports while it waits, before it has a result to print. */
@FunctionalInterface
public interface StartListener {
  StartListener SILENT = (migrationId, workflowId, taskQueue) -> {};

  /** The workflow is started but no worker has taken it for a while; the start keeps waiting. */
  void waitingForWorker(String migrationId, String workflowId, String taskQueue);
}
