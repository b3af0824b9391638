package gtvision.bench;

import gtvision.tracing.Tracing;
import gtvision.tracing.TracingSettings;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/**
 * What tracing costs a frame: the tracing calls of one frame's path (the spans frame, inference, the
 * router's, evidence, persist, project and publish, with their attributes and the traceparent strings
 * that carry them between steps), with tracing off (the node's default) and on (the SDK's batch processor
 * in front of an exporter that discards, so no network is timed). Prints nanoseconds per frame and the
 * share of one core at 250 frames/s (the plan's fleet). Args: [frames per round (200000)] [rounds (5)].
 */
public final class TracingBenchmark {
  private static final int FLEET_FRAMES_PER_SECOND = 250;

  public static void main(String[] args) {
    int frames = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Tracing on = Tracing.withProcessor(BatchSpanProcessor.builder(new Discard())
            .setScheduleDelay(Duration.ofMillis(200)).setMaxQueueSize(65_536).build(),
        TracingSettings.OFF.withEndpoint("http://127.0.0.1:4318"));
    System.out.println("| round | off ns/frame | on ns/frame | on/off | on: share of one core at 250 frames/s |");
    System.out.println("|---|---|---|---|---|");
    double bestOff = Double.MAX_VALUE;
    double bestOn = Double.MAX_VALUE;
    for (int round = 0; round <= rounds; round++) {
      double off = perFrame(Tracing.OFF, frames);
      double traced = perFrame(on, frames);
      if (round == 0) continue; // warm-up
      bestOff = Math.min(bestOff, off);
      bestOn = Math.min(bestOn, traced);
      System.out.printf("| %d | %.1f | %.0f | %.0fx | %.3f %% |%n", round, off, traced, traced / off,
          traced * FLEET_FRAMES_PER_SECOND / 1e9 * 100);
    }
    System.out.printf("%nbest: off %.1f ns/frame (%.5f %% of a core at %d frames/s), on %.0f ns/frame (%.3f %%)%n",
        bestOff, bestOff * FLEET_FRAMES_PER_SECOND / 1e9 * 100, FLEET_FRAMES_PER_SECOND, bestOn,
        bestOn * FLEET_FRAMES_PER_SECOND / 1e9 * 100);
    on.shutdown().join();
  }

  private static double perFrame(Tracing tracing, int frames) {
    long sink = 0;
    long started = System.nanoTime();
    for (int i = 0; i < frames; i++) sink += frame(tracing, i);
    long elapsed = System.nanoTime() - started;
    if (sink == 42) System.out.println(sink);
    return (double) elapsed / frames;
  }

  /** The calls CameraStream, InferenceAnalyser, the router, evidence, the entity and the read sides make. */
  private static int frame(Tracing tracing, long sequence) {
    Span frame = tracing.root("frame", SpanKind.INTERNAL, Instant.now());
    if (frame.getSpanContext().isValid()) {
      frame.setAttribute(Tracing.CAMERA, "cam-17");
      frame.setAttribute(Tracing.FRAME, sequence);
      frame.setAttribute("gtv.frame.size", "1920x1080");
    }
    Span inference = frame.getSpanContext().isValid()
        ? tracing.child("inference", SpanKind.CLIENT, frame.getSpanContext()) : Span.getInvalid();
    String toRouter = Tracing.traceParent(inference);
    if (toRouter != null && tracing.enabled()) {
      Span router = tracing.child("inference gpu", SpanKind.CLIENT, toRouter);
      router.setAttribute("gtv.inference.provider", "gpu");
      router.setAttribute("gtv.inference.model", "yolox_nano.onnx");
      router.setAttribute("gtv.inference.batch_size", 1);
      router.setAttribute("gtv.inference.fallback", false);
      router.setAttribute("gtv.inference.breaker", "CLOSED");
      router.setAttribute(Tracing.OUTCOME, "detected");
      router.end();
    }
    inference.setAttribute(Tracing.OUTCOME, "detected");
    inference.end();
    Span evidence = frame.getSpanContext().isValid()
        ? tracing.child("store evidence", SpanKind.CLIENT, frame.getSpanContext()) : Span.getInvalid();
    evidence.end();
    frame.end();
    String toEntity = Tracing.traceParent(frame);
    int length = 0;
    if (toEntity != null) {
      Span persist = tracing.child("persist DetectionsRecorded", SpanKind.INTERNAL, toEntity);
      String inEvent = Tracing.traceParent(persist);
      persist.end();
      Span project = tracing.child("project detections", SpanKind.CONSUMER, inEvent);
      project.end();
      Span publish = tracing.child("publish gtvision.detections", SpanKind.PRODUCER, inEvent);
      publish.end();
      length = inEvent.length();
    }
    return length;
  }

  /** An exporter that takes every batch and keeps nothing: the SDK's own cost, no network. */
  private static final class Discard implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
