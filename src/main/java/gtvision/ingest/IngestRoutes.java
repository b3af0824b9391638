package gtvision.ingest;

import gtvision.http.ApiError;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /api/ingest/detections}: rate limited per client, size limited, then handed to
 * {@link IngestService} (validation, existence check, one atomic write per camera, answered once durable).
 */
public final class IngestRoutes extends AllDirectives {
  private final IngestSettings settings;
  private final IngestService service;
  private final RateLimiter rateLimiter;
  private final Json json;

  public IngestRoutes(ActorSystem<?> system, MeterRegistry registry) {
    this.settings = IngestSettings.from(system.settings().config());
    this.service = new IngestService(system, settings, registry);
    this.rateLimiter = new RateLimiter(settings.ratePerMinute(), settings.rateMaxClients(), System::nanoTime);
    this.json = Json.get(system);
  }

  public Route route() {
    return path(PathMatchers.segment("api").slash("ingest").slash("detections"), () -> post(this::ingest));
  }

  private Route ingest() {
    return optionalHeaderValueByName("X-Forwarded-For", forwarded -> extractClientIP(remote -> {
      String client = forwarded.map(f -> f.split(",")[0].strip()).filter(s -> !s.isEmpty())
          .orElseGet(() -> remote.getAddress().map(a -> a.getHostAddress()).orElse("unknown"));
      RateLimiter.Decision decision = rateLimiter.acquire(client);
      if (!decision.allowed()) {
        service.requestOutcome("rate_limited");
        return complete(ApiErrors.response(StatusCodes.TOO_MANY_REQUESTS,
                ApiError.of("more than " + settings.ratePerMinute() + " ingest requests per minute from " + client))
            .addHeader(RetryAfter.create(decision.retryAfterSeconds())));
      }
      return withSizeLimit(settings.maxBodyBytes(), () ->
          entity(json.unmarshaller(IngestRequest.class), request -> onSuccess(service.ingest(request), this::complete)));
    }));
  }

}
