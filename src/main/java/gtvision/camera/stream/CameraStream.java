package gtvision.camera.stream;

import gtvision.camera.CameraConfig;
import gtvision.camera.FrameSequence;
import gtvision.tracing.TraceLog;
import gtvision.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One run of a camera's frame pipeline, bounded end to end:
 *
 * <pre>
 * source (blocking reads on the ingest dispatcher, sampled at the camera's fps)
 *   ─async─▶ conflate (keep the newest, count drops) ─▶ motion gate (reduced decode) ─▶ analyser (one at a time)
 * </pre>
 *
 * The source always reads (a live camera must never back up), so when the gate or the analyser is
 * slower than the sampling rate the conflate stage replaces the waiting frame with the newer one.
 * The run fails with the source's error or when no frame arrives for too long; the supervisor
 * restarts it. A damaged frame ({@link CorruptFrameException}) is skipped and counted instead. Every
 * analysis ends as answered, skipped (the analyser said {@link FrameSkippedException}: detectors busy)
 * or failed (logged through {@code analyserFailures}, rate-limited); the stream goes on either way.
 */
final class CameraStream {
  private CameraStream() {}

  static Pair<UniqueKillSwitch, CompletionStage<Done>> run(
      ActorSystem<?> system, String cameraId, CameraConfig config, Streams ingest, FrameSequence sequence,
      StreamProbe probe, FailureLog analyserFailures, Consumer<Pair<Frame, FrameAnalyser.Analysis>> onDetections) {
    StreamSettings settings = ingest.settings();
    MotionGate gate = new MotionGate(settings.motion(), config.motionMask());
    Duration idle = idleTimeout(config, settings);
    return frames(system, cameraId, config, ingest, sequence, probe)
        .map(frame -> {
          probe.sampled(frame);
          ingest.latest().put(frame);
          return frame;
        })
        .async(StreamSettings.DISPATCHER, 1)
        .idleTimeout(idle)
        .mapError(TimeoutException.class, e -> new BadFrameException("no frame for " + idle.toSeconds() + " s"
            + (probe.lastCorrupt() == null ? "" : " (frames skipped: " + probe.lastCorrupt() + ")")))
        .viaMat(KillSwitches.single(), Keep.right())
        .conflateWithSeed(frame -> frame, (older, newer) -> {
          probe.dropped();
          return newer;
        })
        .filter(frame -> {
          long started = System.nanoTime();
          GrayImage small;
          try {
            small = FrameImages.gray(frame, settings.motion().width());
          } catch (CorruptFrameException e) {
            probe.corrupt(e.getMessage());
            return false;
          }
          if (frame.isJpeg()) ingest.metrics().decode().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          boolean analyse = gate.evaluate(small, frame.capturedAt()).analyse();
          if (!analyse) probe.skipped();
          return analyse;
        })
        .mapAsync(1, frame -> analyse(ingest.analyser(), ingest.tracing(), frame, config, probe, analyserFailures))
        .map(result -> {
          if (result.second() != null && !result.second().detections().isEmpty()) onDetections.accept(result);
          return result;
        })
        .toMat(Sink.ignore(), Keep.both())
        .withAttributes(ActorAttributes.dispatcher(StreamSettings.DISPATCHER))
        .run(system);
  }

  /**
   * The frame and its analysis; null when the analyser skipped the frame or failed on it. A frame that
   * passed the motion gate starts a trace here (span "frame", from its capture time to its analysis): the
   * analysers' spans are its children, and the frame carries it on to the camera's persist.
   */
  private static CompletionStage<Pair<Frame, FrameAnalyser.Analysis>> analyse(
      FrameAnalyser analyser, Tracing tracing, Frame sampled, CameraConfig config, StreamProbe probe,
      FailureLog failures) {
    Span span = tracing.root("frame", SpanKind.INTERNAL, sampled.capturedAt());
    Frame frame = sampled;
    if (span.getSpanContext().isValid()) {
      span.setAttribute(Tracing.CAMERA, sampled.cameraId());
      span.setAttribute(Tracing.FRAME, sampled.sequence());
      span.setAttribute("gtv.frame.size", sampled.width() + "x" + sampled.height());
      frame = sampled.withTrace(span.getSpanContext());
    }
    Frame traced = frame;
    CompletionStage<FrameAnalyser.Analysis> stage;
    try {
      stage = analyser.analyse(traced, config);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.handle((analysis, error) -> {
      // The callback runs on whatever thread completed the analysis: the frame's trace id goes into the
      // MDC just for the lines logged here.
      try (TraceLog log = TraceLog.of(traced.trace())) {
        if (error == null) {
          failures.succeeded();
          probe.analysed();
          span.setAttribute(Tracing.OUTCOME, "analysed");
          if (analysis != null) span.setAttribute("gtv.detections", analysis.detections().size());
          return Pair.create(traced, analysis);
        }
        Throwable cause = unwrap(error);
        if (cause instanceof FrameSkippedException) {
          probe.analysisSkipped();
          span.setAttribute(Tracing.OUTCOME, "skipped");
        } else {
          failures.failed(traced + ": " + cause);
          probe.analysisFailed(cause.getClass().getSimpleName(), CameraStreamSupervisor.reason(cause));
          span.setAttribute(Tracing.OUTCOME, "failed");
          span.setStatus(StatusCode.ERROR, cause.getClass().getSimpleName());
        }
        return Pair.create(traced, null);
      } finally {
        span.end();
      }
    });
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    return cause;
  }

  /** Long enough for a connect, a slow first frame and the gap between two samples. */
  static Duration idleTimeout(CameraConfig config, StreamSettings settings) {
    Duration interval = Duration.ofMillis((long) (1000 / config.fps()));
    return settings.connectTimeout().plus(settings.readTimeout()).plus(interval.multipliedBy(2)).plusSeconds(2);
  }

  /** Every reader numbers its frames from {@code sequence}, which outlives it: a reconnect goes on counting. */
  private static Source<Frame, NotUsed> frames(
      ActorSystem<?> system, String cameraId, CameraConfig config, Streams ingest, FrameSequence sequence,
      StreamProbe probe) {
    StreamSettings settings = ingest.settings();
    return switch (config.sourceKind()) {
      case SNAPSHOT -> {
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(StreamSettings.DISPATCHER));
        SnapshotFetcher fetcher = new SnapshotFetcher(cameraId, config, settings, probe, sequence);
        Duration interval = Duration.ofNanos((long) (1_000_000_000L / config.fps()));
        // A tick that finds the previous request still running is dropped: never two requests at once.
        // A damaged JPEG comes back empty (counted by the fetcher) and is skipped.
        yield Source.tick(Duration.ZERO, interval, NotUsed.notUsed())
            .mapAsync(1, tick -> CompletableFuture.supplyAsync(fetcher::fetch, blocking))
            .filter(Optional::isPresent)
            .map(Optional::get)
            .mapMaterializedValue(cancellable -> NotUsed.notUsed());
      }
      case MJPEG -> Source.<Frame, FrameReader>unfoldResource(
          () -> FrameReader.lazy(() -> new MjpegFrameReader(cameraId, config, settings, probe, sequence)),
          FrameReader::next, FrameReader::close);
      case RTSP, HLS, FILE -> Source.<Frame, FrameReader>unfoldResource(
          () -> FrameReader.lazy(() -> new FfmpegFrameReader(
              cameraId, config, settings, probe, ingest.metrics().decode(), sequence)),
          FrameReader::next, FrameReader::close);
    };
  }
}
