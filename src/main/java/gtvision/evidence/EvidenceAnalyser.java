package gtvision.evidence;

import gtvision.camera.CameraConfig;
import gtvision.camera.stream.Frame;
import gtvision.camera.stream.FrameAnalyser;
import gtvision.tracing.TraceLog;
import gtvision.tracing.Tracing;
import io.micrometer.core.instrument.Counter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a camera's analyser: a frame with detections has its JPEG stored before the detections are
 * recorded, so the event carries the evidence key. A store that fails or is slow costs the evidence,
 * never the detections (they are recorded without a key).
 */
public final class EvidenceAnalyser implements FrameAnalyser {
  private static final Logger log = LoggerFactory.getLogger(EvidenceAnalyser.class);
  private final FrameAnalyser inner;
  private final EvidenceStore store;
  private final String framesPrefix;
  private final Duration timeout;
  private final Executor blocking;
  private final Counter stored;
  private final Counter failed;
  private final Tracing tracing;

  public EvidenceAnalyser(FrameAnalyser inner, EvidenceStore store, String framesPrefix, Duration timeout,
      Executor blocking, MeterRegistry registry) {
    this(inner, store, framesPrefix, timeout, blocking, registry, Tracing.OFF);
  }

  /** {@code tracing}: a traced frame's store is a span of its trace. */
  public EvidenceAnalyser(FrameAnalyser inner, EvidenceStore store, String framesPrefix, Duration timeout,
      Executor blocking, MeterRegistry registry, Tracing tracing) {
    this.tracing = tracing;
    this.inner = inner;
    this.store = store;
    this.framesPrefix = framesPrefix;
    this.timeout = timeout;
    this.blocking = blocking;
    this.stored = counter(registry, "stored");
    this.failed = counter(registry, "failed");
  }

  private static Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("gtv.evidence.frames")
        .description("Evidence frames written to the evidence store, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public CompletionStage<Analysis> analyse(Frame frame, CameraConfig config) {
    return inner.analyse(frame, config).thenCompose(analysis -> {
      if (analysis == null || analysis.detections().isEmpty()) return CompletableFuture.completedFuture(analysis);
      String key = EvidenceStore.frameKey(framesPrefix, frame.cameraId(), frame.sequence(), frame.capturedAt());
      Span span = frame.trace().isValid() ? tracing.child("store evidence", SpanKind.CLIENT, frame.trace()) : Span.getInvalid();
      // Reuse the analyser's encoding; otherwise toJpeg encodes decoded (I420) frames: CPU work that
      // stays off the actors' threads.
      CompletableFuture<byte[]> encoded = analysis.jpeg() != null
          ? CompletableFuture.completedFuture(analysis.jpeg())
          : CompletableFuture.supplyAsync(frame::toJpeg, blocking);
      return encoded
          .thenCompose(jpeg -> store.put(key, jpeg))
          .toCompletableFuture()
          .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .handle((done, error) -> {
            if (error == null) {
              stored.increment();
              span.setAttribute(Tracing.OUTCOME, "stored");
              span.end();
              return analysis.withEvidence(key);
            }
            failed.increment();
            Tracing.failed(span, error);
            span.end();
            try (TraceLog trace = TraceLog.of(frame.trace())) {
              log.warn("Evidence for {} not stored ({}); detections are recorded without it", frame, error.toString());
            }
            return analysis;
          });
    });
  }
}
