package gtvision.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.JUnit5RouteTest;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class HttpMetricsTest extends JUnit5RouteTest {
  // A local actor system: route tests need no remoting (the shipped default binds Artery to port 7355,
  // which a node running beside the tests may hold).
  private static final ActorSystem SYSTEM = ActorSystem.create("http-metrics-test",
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(SYSTEM);
  }

  @Override
  protected ActorSystem classicSystem() {
    return SYSTEM;
  }

  @Test
  void idsInPathsBecomePlaceholdersSoLabelsStayFew() {
    assertEquals("/api/cameras", HttpMetrics.route("/api/cameras"));
    assertEquals("/api/cameras/{id}", HttpMetrics.route("/api/cameras/cam-17"));
    assertEquals("/api/cameras/{id}/enable", HttpMetrics.route("/api/cameras/cam-17/enable"));
    assertEquals("/api/auth/users/{username}", HttpMetrics.route("/api/auth/users/someone"));
    assertEquals("/health", HttpMetrics.route("//health"));
    assertEquals("/", HttpMetrics.route("/"));
  }

  @Test
  void pathsOfNoRouteShareOneLabel() {
    assertEquals("/api/cameras/{id}/enable", HttpMetrics.route("/api/cameras/cam-17/enable"));
    assertEquals("unmatched", HttpMetrics.route("/api/cameras/cam-17/x/y"));
    assertEquals("unmatched", HttpMetrics.route("/wp-login.php"));
  }

  @Test
  void athousandRandomPathsAddAtMostOneSeriesPerStatus() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // A route that answers some unknown paths with 404 (rejection), others with 200 or 400 under
    // a prefix, as a real route tree does for paths it half matches.
    Route inner = concat(
        path("health", () -> complete("ok")),
        pathPrefix("api", () -> pathPrefix("cameras", () -> extractUnmatchedPath(rest ->
            rest.length() % 2 == 0 ? complete("odd") : reject()))),
        pathPrefix("echo", () -> complete(org.apache.pekko.http.javadsl.model.StatusCodes.BAD_REQUEST, "no")));
    Route measured = new HttpMetrics(registry).measured(inner);
    Random random = new Random(12);
    String[] prefixes = {"/", "/api/", "/api/cameras/", "/api/cameras/c1/", "/api/detections/d/", "/echo/"};
    for (int i = 0; i < 1000; i++) {
      String path = prefixes[i % prefixes.length] + Long.toHexString(random.nextLong()) + "/" + random.nextInt(1000);
      testRoute(measured).run(HttpRequest.GET(path));
    }
    testRoute(measured).run(HttpRequest.GET("/health"));

    Set<String> routes = registry.getMeters().stream()
        .filter(m -> m.getId().getName().equals("gtv.http.server.requests"))
        .map(m -> m.getId().getTag("route"))
        .collect(Collectors.toSet());
    assertEquals(Set.of("unmatched", "/health"), routes);
    long series = registry.getMeters().stream().map(Meter::getId)
        .filter(id -> id.getName().equals("gtv.http.server.requests")).count();
    assertTrue(series <= 4, "series: " + series);
  }
}
