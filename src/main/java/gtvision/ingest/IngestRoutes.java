package gtvision.ingest;

import gtvision.auth.AuthGate;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import gtvision.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /api/ingest/detections}: size limited, restricted to the cameras the caller's key names
 * (the gate in front has authenticated it and applied the ingest rate limit), then handed to
 * {@link IngestService} (validation, existence check, one atomic write per camera, answered once durable).
 */
public final class IngestRoutes extends AllDirectives {
  private final IngestSettings settings;
  private final IngestService service;
  private final Json json;
  private final Tracing tracing;

  public IngestRoutes(ActorSystem<?> system, MeterRegistry registry) {
    this.settings = IngestSettings.from(system.settings().config());
    this.service = new IngestService(system, settings, registry);
    this.json = Json.get(system);
    this.tracing = Tracing.get(system);
  }

  public Route route() {
    return path(PathMatchers.segment("api").slash("ingest").slash("detections"), () -> post(this::ingest));
  }

  /**
   * A server span per request, a child of the producer's span when it sent a W3C {@code traceparent}
   * header; the frames it writes carry it to their persist and the read sides.
   */
  private Route ingest() {
    return attribute(AuthGate.CALLER, caller -> optionalHeaderValueByName("traceparent", incoming ->
        withSizeLimit(settings.maxBodyBytes(), () -> entity(json.unmarshaller(IngestRequest.class), request -> {
          Span span = serverSpan(incoming.orElse(null));
          Optional<String> refused = refusedCamera(caller, request);
          if (refused.isPresent()) {
            service.requestOutcome("forbidden");
            return complete(ended(span, ApiErrors.response(StatusCodes.FORBIDDEN,
                new ApiError("this key may not write detections for camera " + refused.get(), "cameraId"))));
          }
          return onSuccess(service.ingest(request, Tracing.traceParent(span))
              .thenApply(response -> ended(span, response))
              .whenComplete((response, error) -> {
                if (error != null) {
                  Tracing.failed(span, error);
                  span.end();
                }
              }), this::complete);
        }))));
  }

  private Span serverSpan(String traceParent) {
    if (!tracing.enabled()) return Span.getInvalid();
    Span span = tracing.child("POST /api/ingest/detections", SpanKind.SERVER, traceParent);
    span.setAttribute("http.request.method", "POST");
    span.setAttribute("http.route", "/api/ingest/detections");
    return span;
  }

  private static HttpResponse ended(Span span, HttpResponse response) {
    if (span.getSpanContext().isValid()) {
      int status = response.status().intValue();
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) span.setStatus(StatusCode.ERROR);
      span.end();
    }
    return response;
  }

  /** The first camera of the request the caller may not write, if any. */
  private static Optional<String> refusedCamera(AuthGate.Caller caller, IngestRequest request) {
    if (request.detections() == null) return Optional.empty();
    return request.detections().stream()
        .map(IngestRequest.Item::cameraId)
        .filter(id -> id != null && caller.principal().map(p -> !p.mayIngest(id)).orElse(true))
        .findFirst();
  }
}
