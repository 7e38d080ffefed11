package dev.zdm.fakes;

import dev.zdm.activities.ZdmFailures;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the fake activities do, set by a test: every call is logged by activity name (and key), and
 * a test can make one fail, block until it is cancelled, or refuse while the breaker is open.
 */
public final class ActivityScript {
  private final List<String> calls = new ArrayList<>();
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
  private final Map<String, Semaphore> gates = new ConcurrentHashMap<>();
  private volatile boolean breakerOpen;

  /** How one activity behaves instead of succeeding. */
  @FunctionalInterface
  public interface Behaviour {
    Object run(Supplier<Object> normal);
  }

  /** Logs the call, then runs the scripted behaviour or the normal result. */
  @SuppressWarnings("unchecked")
  <T> T call(String call, Supplier<T> normal) {
    synchronized (calls) {
      calls.add(call);
    }
    started.computeIfAbsent(call, key -> new CountDownLatch(1)).countDown();
    Behaviour behaviour = behaviours.get(call);
    if (behaviour == null) {
      return normal.get();
    }
    return (T) behaviour.run(() -> normal.get());
  }

  public List<String> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  public void when(String call, Behaviour behaviour) {
    behaviours.put(call, behaviour);
  }

  /** The call fails with a non-retryable zdm failure of {@code type} every time. */
  public void fail(String call, String type, String message) {
    when(call, normal -> {
      throw ApplicationFailure.newNonRetryableFailure(message, type);
    });
  }

  /** The call fails once with {@code type}, then behaves normally. */
  public void failOnce(String call, String type, String message) {
    when(call, normal -> {
      behaviours.remove(call);
      throw ApplicationFailure.newNonRetryableFailure(message, type);
    });
  }

  /** The call runs, heartbeating, until the workflow cancels it; it never succeeds. */
  public void blockUntilCanceled(String call) {
    when(call, normal -> {
      try {
        while (true) {
          Activity.getExecutionContext().heartbeat(null);
          Thread.sleep(50);
        }
      } catch (ActivityCompletionException canceled) {
        synchronized (calls) {
          calls.add(call + " canceled");
        }
        throw canceled;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(interrupted);
      }
    });
  }

  /**
   * Each call of {@code call} waits until the test lets it through with {@link #release}, then
   * returns {@code result}: the test decides what happens while it runs.
   */
  public void gate(String call, Object result) {
    Semaphore permits = gates.computeIfAbsent(call, key -> new Semaphore(0));
    when(call, normal -> {
      try {
        if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released " + call);
        }
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(interrupted);
      }
      return result;
    });
  }

  public void release(String call) {
    gates.get(call).release();
  }

  /** How many times {@code call} has been made. */
  public long count(String call) {
    return calls().stream().filter(call::equals).count();
  }

  /** Every call of {@code call} is refused as BreakerOpen while the breaker is open. */
  public void refuseWhileBreakerOpen(String call) {
    when(call, normal -> {
      if (breakerOpen) {
        throw ApplicationFailure.newNonRetryableFailure(
            "the circuit breaker is open", ZdmFailures.BREAKER_OPEN);
      }
      return normal.get();
    });
  }

  public void openBreaker() {
    breakerOpen = true;
  }

  public void closeBreaker() {
    breakerOpen = false;
  }

  boolean breakerClosed() {
    return !breakerOpen;
  }

  /** Waits until {@code call} has been made at least once. */
  public void awaitCall(String call) throws InterruptedException {
    boolean made = started.computeIfAbsent(call, key -> new CountDownLatch(1))
        .await(60, TimeUnit.SECONDS);
    if (!made) {
      throw new AssertionError("no call " + call + "; calls so far: " + calls());
    }
  }
}
