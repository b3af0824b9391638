package gtvision.inference;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** A detector whose answers the test scripts per call: success, failure, silence or a crash. */
final class ScriptedDetector implements Detector {
  final String provider;
  final AtomicInteger calls = new AtomicInteger();
  final List<CompletableFuture<List<DetectionResult>>> held = new CopyOnWriteArrayList<>();
  volatile IntFunction<CompletionStage<List<DetectionResult>>> script;
  volatile boolean closed;
  volatile int capacity = 16;

  ScriptedDetector(String provider, IntFunction<CompletionStage<List<DetectionResult>>> script) {
    this.provider = provider;
    this.script = script;
  }

  static CompletionStage<List<DetectionResult>> ok(String provider) {
    return CompletableFuture.completedFuture(List.of(result(provider)));
  }

  static DetectionResult result(String provider) {
    return new DetectionResult(
        List.of(new Detection("car", 0.9, new BoundingBox(1, 2, 3, 4))), provider, "scripted", 640, 480, 1,
        new Timings(0, 0, 1, 0));
  }

  static CompletionStage<List<DetectionResult>> fail() {
    return CompletableFuture.failedFuture(new IllegalStateException("scripted failure"));
  }

  /** Never completes on its own; the test may complete it through {@link #held}. */
  CompletionStage<List<DetectionResult>> hold() {
    CompletableFuture<List<DetectionResult>> f = new CompletableFuture<>();
    held.add(f);
    return f;
  }

  @Override
  public String provider() {
    return provider;
  }

  @Override
  public String modelId() {
    return "scripted";
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public CompletionStage<List<DetectionResult>> detect(List<ImageInput> images, DetectOptions options) {
    return script.apply(calls.getAndIncrement());
  }

  @Override
  public void close() {
    closed = true;
  }
}
