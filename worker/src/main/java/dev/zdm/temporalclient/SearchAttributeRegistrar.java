package dev.zdm.temporalclient;

import dev.zdm.temporal.ZdmSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers zdm's Keyword search attributes. Servers do not create them on first use, and a
 * workflow that sets an unknown one fails its task; registering twice is harmless.
 */
public final class SearchAttributeRegistrar {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributeRegistrar.class);

  private static final List<String> NAMES =
      ZdmSearchAttributes.ALL.stream().map(SearchAttributeKey::getName).toList();

  private SearchAttributeRegistrar() {}

  /** Adds the attributes, logging a server's refusal: the worker's call. */
  public static void register(WorkflowServiceStubs service, String namespace) {
    Status status = tryRegister(service, namespace);
    if (!status.isOk()) {
      // Some servers (Temporal Cloud) manage attributes elsewhere; workflows then need them made.
      log.warn("could not register search attributes {}: {}", NAMES, status);
    }
  }

  /**
   * Adds the attributes; returns {@link Status#OK} when they exist afterwards (added now or
   * before), else the server's refusal for the caller to report.
   */
  public static Status tryRegister(WorkflowServiceStubs service, String namespace) {
    Map<String, IndexedValueType> attributes = new LinkedHashMap<>();
    ZdmSearchAttributes.ALL.forEach(
        key -> attributes.put(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(service.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      operator
          .blockingStub()
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace(namespace)
                  .putAllSearchAttributes(attributes)
                  .build());
      log.info("registered search attributes {}", NAMES);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() == Status.Code.ALREADY_EXISTS ? Status.OK : e.getStatus();
    } finally {
      operator.shutdown();
    }
  }

  /** True when a refused start or upsert names one of zdm's attributes as unknown to the server. */
  public static boolean isMissingAttribute(Status status) {
    if (status.getCode() != Status.Code.INVALID_ARGUMENT || status.getDescription() == null) {
      return false;
    }
    String description = status.getDescription();
    return description.toLowerCase(Locale.ROOT).contains("search attribute")
        && ZdmSearchAttributes.ALL.stream().anyMatch(key -> description.contains(key.getName()));
  }
}
