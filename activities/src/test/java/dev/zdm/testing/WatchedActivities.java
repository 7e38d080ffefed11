package dev.zdm.testing;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * One activity call in Temporal's TestActivityEnvironment, with a short heartbeat timeout, on a
 * thread of its own: the test can watch the database, read the heartbeats and cancel the call.
 */
public final class WatchedActivities<A, D> implements AutoCloseable {
  /** Short, so a build held behind an old transaction outlives it several times. */
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);

  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();
  private final List<D> heartbeats = new CopyOnWriteArrayList<>();
  private final A stub;

  public WatchedActivities(Class<A> type, Object implementation, Class<D> details) {
    env.registerActivitiesImplementations(implementation);
    env.setActivityHeartbeatListener(details, heartbeats::add);
    stub = env.newActivityStub(type, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  /** Starts the call on its own thread. */
  public <R> CompletableFuture<R> start(Function<A, R> call) {
    CompletableFuture<R> result = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        result.complete(call.apply(stub));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "test-activity");
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  public List<D> heartbeats() {
    return heartbeats;
  }

  /** As the server does when the workflow cancels the activity: the next heartbeat says so. */
  public void cancel() {
    env.requestCancelActivity();
  }

  @Override
  public void close() {
    env.close();
  }
}
