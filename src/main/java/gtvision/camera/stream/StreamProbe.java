package gtvision.camera.stream;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * What one run of a camera's stream has done so far, shared between the stream's stages (which run on
 * the ingest dispatcher) and the supervising actor (which reads it on its timer). Counters also feed
 * the camera's meters. Connection callbacks go to the actor as messages.
 */
public final class StreamProbe {
  final StreamMetrics.CameraMeters meters;
  final AtomicLong received = new AtomicLong();
  final AtomicLong sampled = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong skipped = new AtomicLong();
  final AtomicLong analysed = new AtomicLong();
  final AtomicLong analysisSkipped = new AtomicLong();
  final AtomicLong analysisFailed = new AtomicLong();
  final AtomicLong corrupt = new AtomicLong();
  // The newest analysis failure not yet reported to the entity.
  private final AtomicReference<String> unreportedAnalysisError = new AtomicReference<>();
  // The newest skipped-frame error not yet reported to the entity (taken by the supervisor's stats tick).
  private final AtomicReference<String> unreportedCorrupt = new AtomicReference<>();
  private volatile String lastCorrupt;
  private final AtomicBoolean firstFrameSeen = new AtomicBoolean();
  private final Consumer<String> onConnected;
  private final Consumer<Frame> onFirstFrame;
  private volatile Instant lastFrameAt;
  // System.nanoTime() of the newest sampled frame (Long.MIN_VALUE: none yet): stall detection.
  private volatile long lastFrameNanos = Long.MIN_VALUE;

  public StreamProbe(StreamMetrics.CameraMeters meters, Consumer<String> onConnected, Consumer<Frame> onFirstFrame) {
    this.meters = meters;
    this.onConnected = onConnected;
    this.onFirstFrame = onFirstFrame;
  }

  /** The source is open and talking; {@code detail} describes it (codec, size), never credentials. */
  public void connected(String detail) {
    onConnected.accept(detail);
  }

  public void received(long frames) {
    if (frames <= 0) return;
    received.addAndGet(frames);
    meters.received().increment(frames);
  }

  public void sampled(Frame frame) {
    sampled.incrementAndGet();
    meters.sampled().increment();
    lastFrameAt = frame.capturedAt();
    lastFrameNanos = System.nanoTime();
    if (firstFrameSeen.compareAndSet(false, true)) onFirstFrame.accept(frame);
  }

  public void dropped() {
    dropped.incrementAndGet();
    meters.dropped().increment();
  }

  public void skipped() {
    skipped.incrementAndGet();
    meters.skippedMotion().increment();
  }

  /** The analyser answered. */
  public void analysed() {
    analysed.incrementAndGet();
    meters.analysed().increment();
  }

  /** The analyser did not take the frame: the detectors were busy. */
  public void analysisSkipped() {
    analysisSkipped.incrementAndGet();
    meters.skippedBusy().increment();
  }

  /** The analysis failed; {@code kind} is a bounded name for the meter, {@code reason} the message. */
  public void analysisFailed(String kind, String reason) {
    analysisFailed.incrementAndGet();
    meters.failed().apply(kind).increment();
    unreportedAnalysisError.set(reason);
  }

  public long analysisSkippedCount() {
    return analysisSkipped.get();
  }

  public long analysisFailedCount() {
    return analysisFailed.get();
  }

  /** The newest analysis failure since the previous call, or null. */
  String takeUnreportedAnalysisError() {
    return unreportedAnalysisError.getAndSet(null);
  }

  /** System.nanoTime() of the newest sampled frame, Long.MIN_VALUE before the first. */
  long lastFrameNanos() {
    return lastFrameNanos;
  }

  /** A frame was skipped because it is damaged; the stream goes on. */
  public void corrupt(String reason) {
    corrupt.incrementAndGet();
    meters.corrupt().increment();
    lastCorrupt = reason;
    unreportedCorrupt.set(reason);
  }

  public long corruptCount() {
    return corrupt.get();
  }

  /** The newest skipped-frame error of this run, or null. */
  public String lastCorrupt() {
    return lastCorrupt;
  }

  /** The newest skipped-frame error since the previous call, or null. */
  String takeUnreportedCorrupt() {
    return unreportedCorrupt.getAndSet(null);
  }

  public long receivedCount() {
    return received.get();
  }

  public long sampledCount() {
    return sampled.get();
  }

  public long droppedCount() {
    return dropped.get();
  }

  public long skippedCount() {
    return skipped.get();
  }

  public long analysedCount() {
    return analysed.get();
  }

  public Instant lastFrameAt() {
    return lastFrameAt;
  }
}
