package gtvision.ingest;

import gtvision.auth.AuthGate;
import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
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

  public IngestRoutes(ActorSystem<?> system, MeterRegistry registry) {
    this.settings = IngestSettings.from(system.settings().config());
    this.service = new IngestService(system, settings, registry);
    this.json = Json.get(system);
  }

  public Route route() {
    return path(PathMatchers.segment("api").slash("ingest").slash("detections"), () -> post(this::ingest));
  }

  private Route ingest() {
    return attribute(AuthGate.CALLER, caller -> withSizeLimit(settings.maxBodyBytes(), () ->
        entity(json.unmarshaller(IngestRequest.class), request -> {
          Optional<String> refused = refusedCamera(caller, request);
          if (refused.isPresent()) {
            service.requestOutcome("forbidden");
            return complete(ApiErrors.response(StatusCodes.FORBIDDEN,
                new ApiError("this key may not write detections for camera " + refused.get(), "cameraId")));
          }
          return onSuccess(service.ingest(request), this::complete);
        })));
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
