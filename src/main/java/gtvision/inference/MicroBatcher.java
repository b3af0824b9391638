package gtvision.inference;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Collects single items submitted from many threads (frames of many cameras) into batches of at
 * most {@code maxBatch}, waiting at most {@code maxWait} after the first item of a batch, and runs
 * each batch on one dedicated thread. Under load the queue already holds a full batch and nothing
 * waits; at low load a lone frame waits at most {@code maxWait}.
 *
 * <p>An item may carry a deadline: one still queued when its deadline passes is failed with {@link
 * FrameExpiredException} instead of joining a batch, so that under overload the model's time goes to
 * items that can still be answered in time.
 *
 * <p>One thread on purpose: a model session already uses all intra-op threads, so two batches in
 * parallel would only contend for the same cores.
 */
final class MicroBatcher<I, O> implements AutoCloseable {

  /** Runs one batch; returns one output per input, in order. */
  @FunctionalInterface
  interface BatchFunction<I, O> {
    List<O> run(List<I> batch) throws Exception;
  }

  /** An output with what the batching cost it. */
  record Batched<O>(O value, int batchSize, long queueNanos) {}

  private record Pending<I, O>(I item, long enqueuedNanos, long deadlineNanos, Instant deadline,
      CompletableFuture<Batched<O>> promise) {
    boolean expired(long now) {
      return deadline != null && now - deadlineNanos > 0;
    }
  }

  private final int maxBatch;
  private final long maxWaitNanos;
  private final BatchFunction<I, O> function;
  private final IntConsumer batchSizeObserver;
  private final LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  MicroBatcher(
      String name, int maxBatch, Duration maxWait, BatchFunction<I, O> function, IntConsumer batchSizeObserver) {
    if (maxBatch < 1) throw new IllegalArgumentException("max batch must be >= 1");
    this.maxBatch = maxBatch;
    this.maxWaitNanos = maxWait.toNanos();
    this.function = function;
    this.batchSizeObserver = batchSizeObserver;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  CompletableFuture<Batched<O>> submit(I item) {
    return submit(item, null, 0);
  }

  /**
   * As {@link #submit(Object)}, failed with {@link FrameExpiredException} if still queued at {@code
   * deadline} ({@code deadlineNanos} the same instant on the nano clock); a null deadline never expires.
   */
  CompletableFuture<Batched<O>> submit(I item, Instant deadline, long deadlineNanos) {
    CompletableFuture<Batched<O>> promise = new CompletableFuture<>();
    if (closed) {
      promise.completeExceptionally(new IllegalStateException("detector is closed"));
      return promise;
    }
    queue.add(new Pending<>(item, System.nanoTime(), deadlineNanos, deadline, promise));
    return promise;
  }

  private void loop() {
    List<Pending<I, O>> batch = new ArrayList<>(maxBatch);
    while (!closed) {
      try {
        Pending<I, O> first = queue.take();
        batch.add(first);
        long deadline = first.enqueuedNanos + maxWaitNanos;
        queue.drainTo(batch, maxBatch - batch.size());
        while (batch.size() < maxBatch) {
          long left = deadline - System.nanoTime();
          if (left <= 0) break;
          Pending<I, O> next = queue.poll(left, TimeUnit.NANOSECONDS);
          if (next == null) break;
          batch.add(next);
          queue.drainTo(batch, maxBatch - batch.size());
        }
        // Expired items leave room: fill it from the queue, so that under overload batches stay full.
        while (dropExpired(batch) && batch.size() < maxBatch && queue.drainTo(batch, maxBatch - batch.size()) > 0) {
          // drained more; look at those too
        }
        if (!batch.isEmpty()) runBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        batch.clear();
      }
    }
    failAll(new IllegalStateException("detector is closed"));
  }

  /** Fails and removes the expired items of {@code batch}; true if there were any. */
  private static <I, O> boolean dropExpired(List<Pending<I, O>> batch) {
    long now = System.nanoTime();
    return batch.removeIf(p -> {
      if (!p.expired(now)) return false;
      p.promise.completeExceptionally(new FrameExpiredException(p.deadline));
      return true;
    });
  }

  private void runBatch(List<Pending<I, O>> batch) {
    long start = System.nanoTime();
    batchSizeObserver.accept(batch.size());
    List<I> items = new ArrayList<>(batch.size());
    for (Pending<I, O> p : batch) items.add(p.item);
    try {
      List<O> outputs = function.run(items);
      for (int i = 0; i < batch.size(); i++) {
        Pending<I, O> p = batch.get(i);
        p.promise.complete(new Batched<>(outputs.get(i), batch.size(), start - p.enqueuedNanos));
      }
    } catch (Throwable t) { // a failed batch fails its frames, never the batching thread
      for (Pending<I, O> p : batch) p.promise.completeExceptionally(t);
    }
  }

  private void failAll(Throwable t) {
    Pending<I, O> p;
    while ((p = queue.poll()) != null) p.promise.completeExceptionally(t);
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failAll(new IllegalStateException("detector is closed"));
  }
}
