package gtvision.http;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every route the node serves, as method and path template ({@code {name}} stands for one path segment).
 * One list for the request metrics' labels and for the OpenAPI description ({@code /api/openapi.json}),
 * whose test compares the two both ways and probes a running node for each entry: a route added to a
 * capability is listed here, or its metrics say {@code unmatched} and the description test fails.
 */
public final class Endpoints {
  private Endpoints() {}

  public record Endpoint(String method, String path) {
    /** The path's segments, a template segment being {@code {name}}. */
    public List<String> segments() {
      return Stream.of(SLASHES.split(path)).filter(s -> !s.isEmpty()).toList();
    }

    public boolean matches(String method, List<String> pathSegments) {
      return this.method.equals(method) && matchesPath(pathSegments);
    }

    public boolean matchesPath(List<String> pathSegments) {
      List<String> template = segments();
      if (template.size() != pathSegments.size()) return false;
      for (int i = 0; i < template.size(); i++) {
        String t = template.get(i);
        if (!isParameter(t) && !t.equals(pathSegments.get(i))) return false;
      }
      return true;
    }
  }

  private static final Pattern SLASHES = Pattern.compile("/+");

  private static Endpoint get(String path) {
    return new Endpoint("GET", path);
  }

  private static Endpoint post(String path) {
    return new Endpoint("POST", path);
  }

  private static Endpoint put(String path) {
    return new Endpoint("PUT", path);
  }

  private static Endpoint delete(String path) {
    return new Endpoint("DELETE", path);
  }

  public static final List<Endpoint> ALL = List.of(
      get("/health"), get("/metrics"),
      // the dashboard's page, how it signs in and what it learns after sign-in (gtvision.dashboard)
      get("/"), get("/index.html"), get("/api/dashboard/signin"), get("/api/dashboard/config"),
      // the API's description and Swagger UI's page (gtvision.apidocs)
      get("/api/openapi.json"), get("/api/docs"),
      post("/api/auth/login"), get("/api/auth/me"), post("/api/auth/ticket"), post("/api/auth/mediamtx"),
      get("/api/auth/keys"), post("/api/auth/keys"), delete("/api/auth/keys/{id}"),
      get("/api/auth/users"), post("/api/auth/users"), put("/api/auth/users/{username}"), delete("/api/auth/users/{username}"),
      get("/api/cameras"), post("/api/cameras"),
      get("/api/cameras/{id}"), put("/api/cameras/{id}"), delete("/api/cameras/{id}"),
      post("/api/cameras/{id}/enable"), post("/api/cameras/{id}/disable"), get("/api/cameras/{id}/frame/latest"),
      get("/api/detections"), get("/api/detections/{id}"), get("/api/detections/{id}/frame"),
      get("/api/events"), get("/api/events/{id}"), get("/api/events/{id}/frame"), get("/api/counts"),
      get("/api/watchlist"), post("/api/watchlist"),
      get("/api/watchlist/{id}"), put("/api/watchlist/{id}"), delete("/api/watchlist/{id}"),
      get("/api/alerts"),
      get("/api/live"),
      // the System page's cluster members and projection progress (gtvision.system)
      get("/api/system"),
      post("/api/ingest/detections"),
      post("/api/detect/frame"), post("/api/batch/detect"));

  /**
   * Folders of static files (GET only), each under its prefix at any depth: the dashboard's assets and
   * Swagger UI's. They are files, not operations, and are left out of the description.
   */
  public static final List<String> STATIC_TREES = List.of("/assets/", "/api/docs/");

  /** The template of the route that serves {@code path} by some method, if one does. */
  public static Optional<String> template(List<String> pathSegments) {
    return ALL.stream().filter(e -> e.matchesPath(pathSegments)).map(Endpoint::path).findFirst();
  }

  public static boolean isParameter(String segment) {
    return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
  }
}
