package gtvision.inference;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model stand-in with a fixed cost: batches of up to {@code maxBatch} frames on one thread, each
 * batch taking {@code batchTime}, like a real detector (capacity: two batches). It notes, when a
 * batch starts, how old each frame is (frames registered with {@link #sent}).
 */
final class FixedTimeDetector implements Detector {
  final AtomicInteger frames = new AtomicInteger();
  final AtomicLong oldestAnalysedNanos = new AtomicLong();
  /** How many batches of each size ran. */
  final Map<Integer, Integer> batchSizes = new java.util.concurrent.ConcurrentSkipListMap<>();
  private final Map<byte[], Long> sentAt = Collections.synchronizedMap(new IdentityHashMap<>());
  private final int maxBatch;
  private final Clock clock = Clock.systemUTC();
  private final MicroBatcher<ImageInput, DetectionResult> batcher;

  FixedTimeDetector(int maxBatch, Duration batchTime) {
    this.maxBatch = maxBatch;
    this.batcher = new MicroBatcher<>("fixed-time", maxBatch, Duration.ZERO, batch -> {
      long now = System.nanoTime();
      for (ImageInput image : batch) {
        Long sent = sentAt.remove(((ImageInput.Encoded) image).bytes());
        if (sent != null) oldestAnalysedNanos.accumulateAndGet(now - sent, Math::max);
      }
      Thread.sleep(batchTime.toMillis()); // the model's work
      frames.addAndGet(batch.size());
      return batch.stream().map(i -> ScriptedDetector.result("gpu")).toList();
    }, size -> batchSizes.merge(size, 1, Integer::sum));
  }

  /** A fresh frame (its own array, so that its age can be told apart) sent now. */
  byte[] sent(byte[] jpeg) {
    byte[] frame = jpeg.clone();
    sentAt.put(frame, System.nanoTime());
    return frame;
  }

  @Override
  public String provider() {
    return "gpu";
  }

  @Override
  public String modelId() {
    return "fixed-time";
  }

  @Override
  public int capacity() {
    return maxBatch * 2;
  }

  @Override
  public CompletionStage<List<DetectionResult>> detect(List<ImageInput> images, DetectOptions options) {
    List<CompletableFuture<DetectionResult>> each =
        images.stream().map(i -> batcher.submit(i, options.notAfter().orElse(null), options.notAfterNanos(clock))
            .thenApply(MicroBatcher.Batched::value)).toList();
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
  }

  @Override
  public void close() {
    batcher.close();
  }
}
