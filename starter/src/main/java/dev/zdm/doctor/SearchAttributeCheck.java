package dev.zdm.doctor;

import dev.zdm.temporal.ZdmSearchAttributes;
import dev.zdm.temporalclient.TemporalConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.List;
import java.util.Map;

/**
 * zdm's Keyword search attributes exist in the namespace: without them every zdm workflow fails
 * its first task. Read only; registering them is the worker's job.
 */
final class SearchAttributeCheck {
  static final String NAME = "search-attributes";

  private final TemporalConfig config;

  SearchAttributeCheck(TemporalConfig config) {
    this.config = config;
  }

  DoctorCheck run(WorkflowServiceStubs service) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setChannel(service.getRawChannel()).validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> custom = operator.blockingStub()
          .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(config.namespace()).build())
          .getCustomAttributesMap();
      return evaluate(custom);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        // Temporal's in-memory test server: `zdm dev` and the worker register them there anyway.
        return DoctorCheck.notChecked(NAME,
            "Temporal at " + config.address() + " cannot list search attributes (Temporal's test server).");
      }
      return DoctorCheck.notChecked(NAME,
          "ListSearchAttributes failed (" + TemporalChecks.describe(e.getStatus()) + ").");
    } finally {
      operator.shutdown();
    }
  }

  /** Judges the namespace's custom attributes as a real server lists them. */
  DoctorCheck evaluate(Map<String, IndexedValueType> custom) {
    List<String> missing = ZdmSearchAttributes.ALL.stream()
        .map(SearchAttributeKey::getName)
        .filter(name -> !custom.containsKey(name))
        .toList();
    List<String> mistyped = ZdmSearchAttributes.ALL.stream()
        .map(SearchAttributeKey::getName)
        .filter(name -> custom.containsKey(name) && custom.get(name) != IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
        .toList();
    if (!mistyped.isEmpty()) {
      return DoctorCheck.problem(NAME,
          "Namespace " + config.namespace() + " has " + String.join(", ", mistyped) + " with a type other than Keyword.",
          "zdm writes them as Keyword: remove them (`temporal operator search-attribute remove --name ...`) and"
              + " start a zdm worker, which adds them again.");
    }
    if (!missing.isEmpty()) {
      return DoctorCheck.problem(NAME,
          "Namespace " + config.namespace() + " lacks zdm's search attributes " + String.join(", ", missing) + ".",
          "Start a zdm worker once (it adds them), or `temporal operator search-attribute create --namespace "
              + config.namespace() + " --type Keyword --name " + missing.get(0) + "` for each.");
    }
    return DoctorCheck.ok(NAME, "Namespace " + config.namespace() + " has zdm's search attributes.");
  }
}
