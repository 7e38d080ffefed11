package dev.zdm.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers zdm's Keyword search attributes. Servers do not create them on first use, and a
 * workflow that sets an unknown one fails its task; registering twice is harmless.
 */
public final class SearchAttributeRegistrar {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributeRegistrar.class);

  private SearchAttributeRegistrar() {}

  public static void register(WorkflowServiceStubs service, String namespace) {
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
      log.info("registered search attributes {}", attributes.keySet());
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code != Status.Code.ALREADY_EXISTS) {
        // Some servers (Temporal Cloud) manage attributes elsewhere; workflows then need them made.
        log.warn("could not register search attributes {}: {}", attributes.keySet(), e.getStatus());
      }
    } finally {
      operator.shutdown();
    }
  }
}
