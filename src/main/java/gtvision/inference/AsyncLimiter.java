package gtvision.inference;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * At most {@code max} asynchronous calls in flight; the rest wait in a queue without holding a
 * thread. Bounds concurrent Rekognition calls (the plan's 50) independently of the HTTP pool.
 */
final class AsyncLimiter {
  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  AsyncLimiter(int max) {
    if (max < 1) throw new IllegalArgumentException("max concurrency must be >= 1");
    this.max = max;
  }

  <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    waiting.add(
        () -> {
          CompletableFuture<T> f;
          try {
            f = call.get();
          } catch (Throwable t) {
            f = CompletableFuture.failedFuture(t);
          }
          f.whenComplete(
              (v, e) -> {
                inFlight.decrementAndGet();
                drain();
                if (e != null) result.completeExceptionally(e);
                else result.complete(v);
              });
        });
    drain();
    return result;
  }

  int inFlight() {
    return inFlight.get();
  }

  private void drain() {
    while (true) {
      int n = inFlight.get();
      if (n >= max || waiting.isEmpty()) return;
      if (!inFlight.compareAndSet(n, n + 1)) continue;
      Runnable next = waiting.poll();
      if (next == null) { // another thread took it between the check and the poll
        inFlight.decrementAndGet();
        if (waiting.isEmpty()) return;
        continue;
      }
      next.run();
    }
  }
}
