package gtvision.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's tracer, built once per ActorSystem from {@code gtv.tracing} (no GlobalOpenTelemetry): with
 * an OTLP endpoint an SDK whose batch processor exports spans over OTLP/HTTP, flushed and shut down by
 * coordinated shutdown; without one {@link #OFF}, whose spans are the invalid no-op span, so that the
 * frame path pays a field read and nothing else.
 *
 * <p>Trace context crosses actors, nodes and the journal as a W3C {@code traceparent} string inside the
 * messages and events ({@link #traceParent(Span)}, {@link #parent(String)}), never as a thread-local:
 * an actor's next message runs on whatever thread, long after the sender's scope closed.
 */
public final class Tracing implements Extension {
  public static final AttributeKey<String> CAMERA = AttributeKey.stringKey("gtv.camera.id");
  public static final AttributeKey<Long> FRAME = AttributeKey.longKey("gtv.frame.sequence");
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("gtv.outcome");

  /** No tracing: every span is the invalid no-op span and no exporter exists. */
  public static final Tracing OFF = new Tracing(null, OpenTelemetry.noop().getTracer("gtvision"));

  private static final ExtensionId<Tracing> ID =
      new ExtensionId<>() {
        @Override
        public Tracing createExtension(ActorSystem<?> system) {
          TracingSettings settings = TracingSettings.from(system.settings().config());
          if (!settings.enabled()) return OFF;
          Tracing tracing = otlp(settings);
          system.log().info("Exporting traces with OTLP/HTTP to {} as service {} (sampling {})",
              settings.tracesUrl(), settings.serviceName(), settings.sampleRatio());
          // After the streams and projections stopped (their last spans ended), before the system goes.
          CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "flush-traces",
              () -> tracing.shutdown().thenApply(ignored -> Done.getInstance()));
          return tracing;
        }
      };

  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SdkTracerProvider provider, Tracer tracer) {
    this.provider = provider;
    this.tracer = tracer;
  }

  /** The node's tracing, made from its configuration on first use. */
  public static Tracing get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Tracing as the settings say: {@link #OFF} without an endpoint. */
  public static Tracing from(TracingSettings settings) {
    return settings.enabled() ? otlp(settings) : OFF;
  }

  private static Tracing otlp(TracingSettings settings) {
    SpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(settings.tracesUrl())
        .setTimeout(settings.exportTimeout())
        .build();
    SpanProcessor batch = BatchSpanProcessor.builder(exporter)
        .setScheduleDelay(settings.exportInterval())
        .setMaxQueueSize(settings.maxQueueSize())
        .setExporterTimeout(settings.exportTimeout())
        .build();
    return withProcessor(batch, settings);
  }

  /** Tracing whose spans go to {@code processor} (tests hand in an in-memory exporter's). */
  public static Tracing withProcessor(SpanProcessor processor, TracingSettings settings) {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), settings.serviceName()))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
        .addSpanProcessor(processor)
        .build();
    OpenTelemetry sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new Tracing(provider, sdk.getTracer("gtvision"));
  }

  public boolean enabled() {
    return provider != null;
  }

  /** A span that starts a trace, at {@code start} (null: now). */
  public Span root(String name, SpanKind kind, Instant start) {
    if (provider == null) return Span.getInvalid();
    SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(kind).setNoParent();
    if (start != null) builder.setStartTimestamp(start);
    return builder.startSpan();
  }

  /** A child of {@code parent}; a new trace when the parent is invalid (tracing was off where it began). */
  public Span child(String name, SpanKind kind, SpanContext parent) {
    if (provider == null) return Span.getInvalid();
    SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(kind);
    if (parent != null && parent.isValid()) {
      builder.setParent(Context.root().with(Span.wrap(parent)));
    } else {
      builder.setNoParent();
    }
    return builder.startSpan();
  }

  /** A child of the span a W3C {@code traceparent} names (null or malformed: a new trace). */
  public Span child(String name, SpanKind kind, String traceParent) {
    if (provider == null) return Span.getInvalid();
    return child(name, kind, parent(traceParent));
  }

  /** The span context a W3C {@code traceparent} names; the invalid context for null or a malformed one. */
  public static SpanContext parent(String traceParent) {
    if (traceParent == null || traceParent.isEmpty()) return SpanContext.getInvalid();
    Context extracted = W3CTraceContextPropagator.getInstance()
        .extract(Context.root(), Map.of("traceparent", traceParent), MAP_GETTER);
    return Span.fromContext(extracted).getSpanContext();
  }

  /** The W3C {@code traceparent} of a span, to travel in a message or event; null for the no-op span. */
  public static String traceParent(Span span) {
    return traceParent(span.getSpanContext());
  }

  public static String traceParent(SpanContext context) {
    if (!context.isValid()) return null;
    return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
  }

  /** Ends {@code span} as failed with {@code error} (its message is not masked here: callers pass reasons, not URLs). */
  public static void failed(Span span, Throwable error) {
    if (!span.getSpanContext().isValid()) return;
    span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, error.getClass().getSimpleName());
    span.setAttribute(OUTCOME, "error");
  }

  /** Exports what is left and stops the exporter; done at once for {@link #OFF}. */
  public CompletableFuture<Void> shutdown() {
    if (provider == null) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> done = new CompletableFuture<>();
    provider.shutdown().whenComplete(() -> done.complete(null));
    return done.orTimeout(15, TimeUnit.SECONDS).exceptionally(e -> null);
  }

  /** Spans of the node's processors are exported now (tests). */
  public void flush() {
    if (provider != null) provider.forceFlush().join(10, TimeUnit.SECONDS);
  }
}
