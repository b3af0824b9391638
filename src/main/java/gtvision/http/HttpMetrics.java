package gtvision.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Times every request by method, route template and status ({@code gtv_http_server_requests_seconds}). */
public final class HttpMetrics extends AllDirectives {
  // Collections whose next path segment is an id: they become {id} so that labels stay few.
  private static final Set<String> COLLECTIONS = Set.of("cameras", "detections");
  private static final Pattern SLASHES = Pattern.compile("/+");
  /**
   * The node's routes as templates. Any other path (a scanner's random URLs, {@code /api/cameras/x/y/z})
   * is labelled {@code unmatched} whatever it was answered, so a client cannot grow the series without
   * bound; a new route is listed here to get its own label.
   */
  static final Set<String> ROUTES = Set.of(
      "/health", "/metrics",
      "/api/cameras", "/api/cameras/{id}", "/api/cameras/{id}/enable", "/api/cameras/{id}/disable",
      "/api/detections", "/api/detections/{id}", "/api/detections/{id}/frame",
      "/api/live", "/api/ingest/detections", "/api/detect/frame", "/api/batch/detect");
  static final String UNMATCHED = "unmatched";
  private final MeterRegistry registry;

  public HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public Route measured(Route inner) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      String method = request.method().value();
      String path = request.getUri().path();
      return mapResponse(response -> {
        int status = response.status().intValue();
        String route = route(path);
        Timer.builder("gtv.http.server.requests")
            .description("HTTP request latency by method, route and status")
            .tag("method", method)
            .tag("route", route)
            .tag("status", Integer.toString(status))
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry)
            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return response;
      }, () -> inner);
    });
  }

  /** The label of {@code path}: its route template, or {@code unmatched} for a path of no route. */
  static String route(String path) {
    String template = template(path);
    return ROUTES.contains(template) ? template : UNMATCHED;
  }

  static String template(String path) {
    List<String> segments = List.of(SLASHES.split(path.startsWith("/") ? path.substring(1) : path));
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      if (segment.isEmpty()) continue;
      boolean isId = i > 0 && COLLECTIONS.contains(segments.get(i - 1));
      out.append('/').append(isId ? "{id}" : segment);
    }
    return out.length() == 0 ? "/" : out.toString();
  }
}
