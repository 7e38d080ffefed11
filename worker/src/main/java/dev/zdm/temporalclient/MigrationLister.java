package dev.zdm.temporalclient;

import dev.zdm.temporal.ZdmNames;
import dev.zdm.temporal.ZdmSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.SearchAttributes;
import io.temporal.api.filter.v1.WorkflowTypeFilter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lists migrations (parent workflows). Real servers answer a visibility query; Temporal's test
 * server does not implement it, so the lister falls back to the open and closed listings.
 */
public final class MigrationLister {
  public static final String MIGRATION_WORKFLOW_TYPE = "Migration";
  public static final int PAGE_SIZE = 200;

  private final WorkflowServiceStubs service;
  private final String namespace;

  public MigrationLister(WorkflowServiceStubs service, String namespace) {
    this.service = service;
    this.namespace = namespace;
  }

  public List<MigrationSummary> list(boolean includeClosed) {
    List<WorkflowExecutionInfo> executions;
    try {
      executions = byVisibilityQuery(includeClosed);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
      executions = byOpenAndClosedListings(includeClosed);
    }
    return executions.stream()
        // The test server ignores the type filter: strategy children would be listed too.
        .filter(info -> MIGRATION_WORKFLOW_TYPE.equals(info.getType().getName()))
        .map(MigrationLister::summary)
        .sorted(Comparator.comparing(MigrationSummary::startedAt, Comparator.nullsLast(Comparator.reverseOrder())))
        .toList();
  }

  private List<WorkflowExecutionInfo> byVisibilityQuery(boolean includeClosed) {
    String query =
        "WorkflowType = '" + MIGRATION_WORKFLOW_TYPE + "'"
            + (includeClosed ? "" : " AND ExecutionStatus = 'Running'");
    return service
        .blockingStub()
        .listWorkflowExecutions(
            ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace(namespace)
                .setQuery(query)
                .setPageSize(PAGE_SIZE)
                .build())
        .getExecutionsList();
  }

  private List<WorkflowExecutionInfo> byOpenAndClosedListings(boolean includeClosed) {
    WorkflowTypeFilter type = WorkflowTypeFilter.newBuilder().setName(MIGRATION_WORKFLOW_TYPE).build();
    List<WorkflowExecutionInfo> all =
        new ArrayList<>(
            service
                .blockingStub()
                .listOpenWorkflowExecutions(
                    ListOpenWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .setTypeFilter(type)
                        .setMaximumPageSize(PAGE_SIZE)
                        .build())
                .getExecutionsList());
    if (includeClosed) {
      all.addAll(
          service
              .blockingStub()
              .listClosedWorkflowExecutions(
                  ListClosedWorkflowExecutionsRequest.newBuilder()
                      .setNamespace(namespace)
                      .setTypeFilter(type)
                      .setMaximumPageSize(PAGE_SIZE)
                      .build())
              .getExecutionsList());
    }
    // The test server's listings carry no search attributes; describe has them.
    return all.stream().map(this::withSearchAttributes).toList();
  }

  private WorkflowExecutionInfo withSearchAttributes(WorkflowExecutionInfo info) {
    if (info.hasSearchAttributes() && info.getSearchAttributes().getIndexedFieldsCount() > 0) {
      return info;
    }
    try {
      return service
          .blockingStub()
          .describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace(namespace)
                  .setExecution(info.getExecution())
                  .build())
          .getWorkflowExecutionInfo();
    } catch (StatusRuntimeException e) {
      return info;
    }
  }

  private static MigrationSummary summary(WorkflowExecutionInfo info) {
    SearchAttributes attributes = info.getSearchAttributes();
    String workflowId = info.getExecution().getWorkflowId();
    return new MigrationSummary(
        ZdmNames.migrationId(workflowId),
        workflowId,
        ExecutionStates.name(info.getStatus()),
        keyword(attributes, ZdmSearchAttributes.STRATEGY.getName()),
        keyword(attributes, ZdmSearchAttributes.TABLE.getName()),
        keyword(attributes, ZdmSearchAttributes.PHASE.getName()),
        keyword(attributes, ZdmSearchAttributes.WAITING_FOR.getName()),
        info.hasStartTime() ? Instant.ofEpochSecond(info.getStartTime().getSeconds(), info.getStartTime().getNanos()) : null,
        info.hasCloseTime() ? Instant.ofEpochSecond(info.getCloseTime().getSeconds(), info.getCloseTime().getNanos()) : null);
  }

  /** A Keyword attribute's value; null when unset or set to "none". */
  public static String keyword(SearchAttributes attributes, String name) {
    Payload payload = attributes.getIndexedFieldsMap().get(name);
    if (payload == null) {
      return null;
    }
    Object value =
        DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, Object.class, Object.class);
    if (value instanceof List<?> list) {
      value = list.isEmpty() ? null : list.get(0);
    }
    String text = value == null ? null : value.toString();
    return text == null || ZdmSearchAttributes.NOTHING.equals(text) ? null : text;
  }
}
