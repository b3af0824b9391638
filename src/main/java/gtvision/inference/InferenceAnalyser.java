package gtvision.inference;

import gtvision.camera.AnalysisOptions;
import gtvision.camera.CameraConfig;
import gtvision.camera.RecordedDetection;
import gtvision.camera.stream.Frame;
import gtvision.camera.stream.FrameAnalyser;
import gtvision.camera.stream.FrameSkippedException;
import gtvision.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Sends the frames a camera's motion gate lets through to the inference router (GPU first, AWS as
 * fallback), with the camera's own classes, threshold and plate setting. A frame the router could
 * not take (detectors busy, frame too old) fails with {@link FrameSkippedException}: skipped, not
 * failed.
 */
public final class InferenceAnalyser implements FrameAnalyser {
  private final ActorSystem<?> system;
  private final ActorRef<InferenceRouter.Command> router;
  private final Duration timeout;
  private final Executor encoder;
  private final Tracing tracing;

  public InferenceAnalyser(ActorSystem<?> system, ActorRef<InferenceRouter.Command> router, Duration timeout) {
    this.system = system;
    this.router = router;
    this.timeout = timeout;
    this.encoder = system.dispatchers().lookup(DispatcherSelector.fromConfig(InferenceSettings.DISPATCHER));
    this.tracing = Tracing.get(system);
  }

  @Override
  public CompletionStage<Analysis> analyse(Frame frame, CameraConfig config) {
    DetectOptions options = options(config.analysis());
    // The frame's inference as a child of its span: encoding plus the router's answer.
    Span span = frame.trace().isValid() ? tracing.child("inference", SpanKind.CLIENT, frame.trace()) : Span.getInvalid();
    String traceParent = Tracing.traceParent(span);
    // Video frames arrive decoded; the router takes encoded images (compact across the cluster).
    CompletionStage<Analysis> stage = CompletableFuture.supplyAsync(frame::toJpeg, encoder)
        .thenCompose(jpeg -> AskPattern.<InferenceRouter.Command, InferenceRouter.Reply>ask(
            router,
            replyTo -> new InferenceRouter.Detect(
                List.of(jpeg), options, Optional.of(frame.cameraId()), Optional.of(frame.capturedAt()), replyTo,
                traceParent),
            timeout,
            system.scheduler())
            .thenApply(reply -> {
              traced(span, reply);
              // Hand an encoding of a decoded frame on (evidence storage needs it too).
              return frame.isJpeg() ? analysis(reply) : analysis(reply).withJpeg(jpeg);
            }));
    // The camera tells a skip from a failure by the exception's type: hand it on unwrapped.
    CompletableFuture<Analysis> result = new CompletableFuture<>();
    stage.whenComplete((analysis, error) -> {
      if (error == null) {
        result.complete(analysis);
      } else {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        // Busy, rejected and unavailable answers are on the span already (traced); a timeout or a frame
        // that could not be encoded is not.
        if (!(cause instanceof FrameSkippedException) && !(cause instanceof IllegalStateException)) {
          Tracing.failed(span, cause);
        }
        result.completeExceptionally(cause);
      }
      span.end();
    });
    return result;
  }

  /** What the router answered, on the frame's inference span. */
  private static void traced(Span span, InferenceRouter.Reply reply) {
    if (!span.getSpanContext().isValid()) return;
    if (reply instanceof InferenceRouter.Detected d) {
      span.setAttribute(Tracing.OUTCOME, "detected");
      span.setAttribute("gtv.inference.provider", d.provider());
      span.setAttribute("gtv.inference.fallback", d.fallback());
      span.setAttribute("gtv.detections", d.results().isEmpty() ? 0 : d.results().get(0).detections().size());
    } else {
      String outcome = reply instanceof InferenceRouter.Busy ? "busy"
          : reply instanceof InferenceRouter.Rejected ? "rejected" : "unavailable";
      span.setAttribute(Tracing.OUTCOME, outcome);
      if (!outcome.equals("busy")) span.setStatus(StatusCode.ERROR, outcome);
    }
  }

  static DetectOptions options(AnalysisOptions analysis) {
    DetectOptions options = DetectOptions.plates(analysis.detectPlates());
    if (!analysis.classes().isEmpty()) options = options.withClasses(new HashSet<>(analysis.classes()));
    if (analysis.minConfidence() != null) options = options.withMinConfidence(analysis.minConfidence());
    return options;
  }

  private static Analysis analysis(InferenceRouter.Reply reply) {
    if (reply instanceof InferenceRouter.Detected detected) {
      DetectionResult result = detected.results().get(0);
      return new Analysis(detected.provider(), result.detections().stream().map(InferenceAnalyser::toCamera).toList());
    }
    // Busy: the detectors were saturated or the frame grew too old; the camera counts it as skipped.
    if (reply instanceof InferenceRouter.Busy busy) throw new FrameSkippedException(busy.reason());
    String reason = reply instanceof InferenceRouter.Rejected r ? "frame rejected: " + r.reason()
        : "no inference provider: " + ((InferenceRouter.Unavailable) reply).reason();
    throw new IllegalStateException(reason);
  }

  private static RecordedDetection toCamera(Detection d) {
    BoundingBox b = d.box();
    return new RecordedDetection(d.className(), d.confidence(), List.of(b.x1(), b.y1(), b.x2(), b.y2()),
        d.plate().map(Plate::text).orElse(null), d.plate().map(Plate::confidence).orElse(null));
  }
}
