package gtvision.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Times every request by method, route template and status ({@code gtv_http_server_requests_seconds}). */
public final class HttpMetrics extends AllDirectives {
  private static final Pattern SLASHES = Pattern.compile("/+");
  // Any path of no route in Endpoints (a scanner's random URLs, /api/cameras/x/y/z) is labelled unmatched
  // whatever it was answered, so a client cannot grow the series without bound.
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
    List<String> segments = Stream.of(SLASHES.split(path)).filter(s -> !s.isEmpty()).toList();
    return Endpoints.template(segments).orElse(UNMATCHED);
  }

}
