package gtvision.apidocs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import gtvision.http.Endpoints;
import gtvision.testsupport.OpenApiDescription;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node (built-in authentication) answers the main routes, and every answer validates against the
 * schema the description documents for its operation and status; every listed route is served, and
 * nothing else is on the listed paths.
 */
class OpenApiConformanceTest {
  private static final String ADMIN_PASSWORD = "conformance-admin-password";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OpenApiDescription API = OpenApiDescription.load();
  @TempDir static Path dir;
  private static TestNodes.Node node;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static String admin;

  @BeforeAll
  static void start() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    node = TestNodes.start(TestDatabases.preferPostgres("openapi_conformance", dir), ConfigFactory.parseString(String.join("\n",
        "gtv.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
        "gtv.auth.mode = builtin",
        "gtv.auth.admin-password = \"" + ADMIN_PASSWORD + "\"",
        "gtv.auth.token-secret = \"" + Base64.getEncoder().encodeToString(secret) + "\"",
        "gtv.auth.password-iterations = 1000")));
    admin = awaitLogin();
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  /** The first admin exists once the node has its database; poll for it. */
  private static String awaitLogin() {
    long deadline = System.nanoTime() + 30_000_000_000L;
    String body = "{\"username\": \"admin\", \"password\": \"" + ADMIN_PASSWORD + "\"}";
    while (true) {
      HttpResponse<String> r = send("POST", "/api/auth/login", body, null, "application/json");
      if (r.statusCode() == 200) return json(r).get("token").asText();
      if (System.nanoTime() > deadline) throw new AssertionError("no login: " + r.statusCode() + " " + r.body());
      poll();
    }
  }

  /** Calls, validates the answer against the description, and returns it; problems are collected. */
  private static final class Checked {
    final List<String> problems = new ArrayList<>();
    final Set<String> covered = new TreeSet<>();

    HttpResponse<String> call(String method, String template, String path, String body, String token, int expected) {
      HttpResponse<String> r = send(method, path, body, token, "application/json");
      return check(method, template, r, expected);
    }

    HttpResponse<String> check(String method, String template, HttpResponse<String> r, int expected) {
      if (r.statusCode() != expected) {
        problems.add(method + " " + r.uri().getPath() + ": expected " + expected + ", got " + r.statusCode() + " " + r.body());
      }
      problems.addAll(API.problems(method, template, r.statusCode(), r.headers().firstValue("Content-Type"), r.body()));
      covered.add(method + " " + template + " " + r.statusCode());
      return r;
    }
  }

  @Test
  void answersOfTheMainRoutesValidateAgainstTheDescription() {
    Checked c = new Checked();
    // health, with and without a credential
    c.call("GET", "/health", "/health", null, null, 200);
    JsonNode detailed = json(c.call("GET", "/health", "/health", null, admin, 200));
    assertTrue(detailed.has("inference"), detailed.toString());

    // auth: login, me, ticket, keys, users
    c.call("POST", "/api/auth/login", "/api/auth/login", "{\"username\": \"admin\", \"password\": \"wrong\"}", null, 401);
    c.call("POST", "/api/auth/login", "/api/auth/login", "{\"username\": \"admin\"}", null, 400);
    c.call("POST", "/api/auth/login", "/api/auth/login", "{not json", null, 400);
    c.call("POST", "/api/auth/login", "/api/auth/login", "{\"username\": \"admin\", \"password\": \"" + ADMIN_PASSWORD + "\"}", null, 200);
    c.call("GET", "/api/auth/me", "/api/auth/me", null, admin, 200);
    c.call("POST", "/api/auth/ticket", "/api/auth/ticket", null, admin, 200);
    JsonNode key = json(c.call("POST", "/api/auth/keys", "/api/auth/keys", "{\"name\": \"bot\", \"role\": \"viewer\"}", admin, 201));
    c.call("POST", "/api/auth/keys", "/api/auth/keys", "{\"name\": \"p\", \"role\": \"ingest\"}", admin, 400);
    c.call("GET", "/api/auth/keys", "/api/auth/keys", null, admin, 200);
    String keyId = key.get("id").asText();
    c.call("GET", "/api/auth/me", "/api/auth/me", null, key.get("key").asText(), 200);
    c.call("DELETE", "/api/auth/keys/{id}", "/api/auth/keys/" + keyId, null, admin, 204);
    c.call("DELETE", "/api/auth/keys/{id}", "/api/auth/keys/" + keyId, null, admin, 404);
    c.call("GET", "/api/auth/keys", "/api/auth/keys", null, admin, 200);
    c.call("POST", "/api/auth/users", "/api/auth/users", "{\"username\": \"watcher\", \"password\": \"watcher-password\", \"role\": \"viewer\"}", admin, 201);
    c.call("POST", "/api/auth/users", "/api/auth/users", "{\"username\": \"watcher\", \"password\": \"watcher-password\", \"role\": \"viewer\"}", admin, 409);
    c.call("GET", "/api/auth/users", "/api/auth/users", null, admin, 200);
    c.call("PUT", "/api/auth/users/{username}", "/api/auth/users/watcher", "{\"password\": \"another-password\"}", admin, 200);
    c.call("PUT", "/api/auth/users/{username}", "/api/auth/users/nobody", "{\"role\": \"viewer\"}", admin, 404);
    String viewer = json(c.call("POST", "/api/auth/login", "/api/auth/login",
        "{\"username\": \"watcher\", \"password\": \"another-password\"}", null, 200)).get("token").asText();
    c.call("POST", "/api/auth/mediamtx", "/api/auth/mediamtx",
        "{\"user\": \"\", \"password\": \"\", \"token\": \"" + viewer + "\", \"action\": \"read\", \"path\": \"cam_a\"}", null, 200);
    c.call("POST", "/api/auth/mediamtx", "/api/auth/mediamtx", "{\"action\": \"read\", \"path\": \"cam_a\"}", null, 401);

    // cameras: CRUD, enable and disable, errors
    c.call("POST", "/api/cameras", "/api/cameras", camera("cam-oa"), admin, 201);
    c.call("POST", "/api/cameras", "/api/cameras", camera("cam-oa"), admin, 409);
    c.call("POST", "/api/cameras", "/api/cameras", "{\"name\": \"no id\"}", admin, 400);
    c.call("POST", "/api/cameras", "/api/cameras", "{\"id\": \"cam-z\", \"fps\": \"fast\"}", admin, 400);
    c.call("POST", "/api/cameras", "/api/cameras", camera("cam-x"), viewer, 403);
    c.call("GET", "/api/cameras", "/api/cameras", null, null, 401);
    c.call("GET", "/api/cameras", "/api/cameras", null, "not-a-token", 401);
    c.call("GET", "/api/cameras/{id}", "/api/cameras/cam-oa", null, viewer, 200);
    c.call("GET", "/api/cameras/{id}", "/api/cameras/cam-none", null, viewer, 404);
    c.call("PUT", "/api/cameras/{id}", "/api/cameras/cam-oa",
        camera("cam-oa").replace("\"enabled\": false", "\"enabled\": false, \"tags\": [\"gate\"], \"location\": {\"lat\": -23.5, \"lon\": -46.6}"), admin, 200);
    c.call("PUT", "/api/cameras/{id}", "/api/cameras/cam-oa", camera("cam-other"), admin, 400);
    c.call("POST", "/api/cameras/{id}/enable", "/api/cameras/cam-oa/enable", null, admin, 200);
    c.call("POST", "/api/cameras/{id}/disable", "/api/cameras/cam-oa/disable", null, admin, 200);
    c.call("GET", "/api/cameras/{id}/frame/latest", "/api/cameras/cam-oa/frame/latest", null, viewer, 404);
    awaitListed("cam-oa");
    c.call("GET", "/api/cameras", "/api/cameras?limit=1", null, viewer, 200);
    c.call("GET", "/api/cameras", "/api/cameras?limit=0", null, viewer, 400);
    c.call("GET", "/api/cameras", "/api/cameras?cursor=%25%25", null, viewer, 400);

    // ingest, then the detections read side
    String item = "{\"cameraId\": \"cam-oa\", \"timestamp\": \"" + Instant.now() + "\", \"class\": \"car\", \"confidence\": 0.9,"
        + " \"bbox\": [1, 2, 30, 40], \"plate\": \"ABC1D23\", \"plateConfidence\": 0.8}";
    c.call("POST", "/api/ingest/detections", "/api/ingest/detections", "{\"detections\": [" + item + "]}", admin, 200);
    c.call("POST", "/api/ingest/detections", "/api/ingest/detections", "{\"detections\": [{\"cameraId\": \"cam-oa\"}]}", admin, 400);
    long id = awaitDetection();
    c.call("GET", "/api/detections", "/api/detections?camera=cam-oa&plate=ABC1D23", null, viewer, 200);
    c.call("GET", "/api/detections", "/api/detections?limit=x", null, viewer, 400);
    c.call("GET", "/api/detections", "/api/detections?colour=white", null, viewer, 400);
    c.call("GET", "/api/detections/{id}", "/api/detections/" + id, null, viewer, 200);
    c.call("GET", "/api/detections/{id}", "/api/detections/abc", null, viewer, 400);
    c.call("GET", "/api/detections/{id}", "/api/detections/999999999", null, viewer, 404);
    c.call("GET", "/api/detections/{id}/frame", "/api/detections/" + id + "/frame", null, viewer, 404);
    c.call("GET", "/api/live", "/api/live", null, viewer, 400);
    c.call("GET", "/api/dashboard/config", "/api/dashboard/config", null, viewer, 200);
    c.call("GET", "/api/system", "/api/system", null, viewer, 200);

    // the watch list and its alerts
    JsonNode entry = json(c.call("POST", "/api/watchlist", "/api/watchlist", "{\"pattern\": \"AB-12 CD\", \"label\": \"stolen\"}",
        admin, 201));
    c.call("POST", "/api/watchlist", "/api/watchlist", "{\"pattern\": \"!\", \"label\": \"x\"}", admin, 400);
    c.call("GET", "/api/watchlist", "/api/watchlist", null, viewer, 200);
    String entryId = entry.get("id").asText();
    c.call("GET", "/api/watchlist/{id}", "/api/watchlist/" + entryId, null, viewer, 200);
    c.call("GET", "/api/watchlist/{id}", "/api/watchlist/999999", null, viewer, 404);
    c.call("PUT", "/api/watchlist/{id}", "/api/watchlist/" + entryId, "{\"pattern\": \"AB*\", \"label\": \"fleet\", \"enabled\": false}",
        admin, 200);
    c.call("PUT", "/api/watchlist/{id}", "/api/watchlist/999999", "{\"pattern\": \"AB*\", \"label\": \"fleet\"}", admin, 404);
    c.call("DELETE", "/api/watchlist/{id}", "/api/watchlist/" + entryId, null, admin, 204);
    c.call("GET", "/api/alerts", "/api/alerts?camera=cam-oa&limit=5", null, viewer, 200);
    c.call("GET", "/api/alerts", "/api/alerts?limit=0", null, viewer, 400);

    // uploads without an image part
    String boundary = "b0undary";
    HttpResponse<String> noImage = send("POST", "/api/detect/frame", "--" + boundary + "\r\nContent-Disposition: form-data; name=\"cameraId\"\r\n\r\n"
        + "cam-oa\r\n--" + boundary + "--\r\n", admin, "multipart/form-data; boundary=" + boundary);
    c.check("POST", "/api/detect/frame", noImage, 400);

    c.call("DELETE", "/api/cameras/{id}", "/api/cameras/cam-oa", null, admin, 204);
    c.call("DELETE", "/api/auth/users/{username}", "/api/auth/users/watcher", null, admin, 204);
    c.call("DELETE", "/api/auth/users/{username}", "/api/auth/users/admin", null, admin, 409);

    // Paths of no route: the catch-all answers the Error body too.
    HttpResponse<String> nowhere = send("GET", "/api/no-such-route", null, admin, null);
    assertEquals(404, nowhere.statusCode());
    c.problems.addAll(API.problemsAgainstComponent("Error", nowhere.body()));

    assertTrue(c.problems.isEmpty(), String.join("\n", c.problems));
    for (String main : List.of("GET /health 200", "POST /api/auth/login 200", "POST /api/auth/keys 201", "GET /api/cameras 200",
        "POST /api/cameras 201", "PUT /api/cameras/{id} 200", "DELETE /api/cameras/{id} 204", "GET /api/detections 200",
        "GET /api/cameras 401", "GET /api/cameras/{id} 404", "POST /api/cameras 400")) {
      assertTrue(c.covered.contains(main), "not exercised: " + main);
    }
  }

  @Test
  void everyListedRouteIsServedAndItsPathServesNoOtherMethod() {
    List<String> wrong = new ArrayList<>();
    for (Endpoints.Endpoint e : Endpoints.ALL) {
      String path = concrete(e.path());
      HttpResponse<String> r = send(e.method(), path, e.method().equals("GET") || e.method().equals("DELETE") ? null : "{}", admin,
          "application/json");
      if (notServed(r)) wrong.add("listed but not served: " + e.method() + " " + e.path() + " -> " + r.statusCode() + " " + r.body());
      for (String other : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
        boolean listed = Endpoints.ALL.stream().anyMatch(x -> x.method().equals(other) && x.path().equals(e.path()));
        if (listed) continue;
        HttpResponse<String> o = send(other, path, other.equals("GET") || other.equals("DELETE") ? null : "{}", admin, "application/json");
        if (!notServed(o)) wrong.add("served but not listed: " + other + " " + e.path() + " -> " + o.statusCode() + " " + o.body());
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void theDescriptionAndSwaggerUiAreServedWithoutACredential() throws IOException {
    HttpResponse<String> description = send("GET", "/api/openapi.json", null, null, null);
    assertEquals(200, description.statusCode());
    assertTrue(description.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(OpenApiDescription.RESOURCE)) {
      assertEquals(JSON.readTree(in), JSON.readTree(description.body()));
    }
    HttpResponse<String> page = send("GET", "/api/docs", null, null, null);
    assertEquals(200, page.statusCode());
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertEquals(ApiDocsRoutes.CONTENT_SECURITY_POLICY, csp);
    assertTrue(csp.contains("script-src 'self';") && !csp.contains("unsafe"), csp);
    Matcher bundle = Pattern.compile("src=\"(/api/docs/[0-9.]+/swagger-ui-bundle\\.js)\"").matcher(page.body());
    assertTrue(bundle.find(), page.body());
    HttpResponse<String> js = send("GET", bundle.group(1), null, null, null);
    assertEquals(200, js.statusCode());
    assertTrue(js.body().contains("SwaggerUIBundle"), "the webjar's bundle");
    assertTrue(js.headers().firstValue("Cache-Control").orElseThrow().contains("immutable"));
    HttpResponse<String> init = send("GET", "/api/docs/init.js", null, null, null);
    assertEquals(200, init.statusCode());
    assertTrue(init.body().contains("url: '/api/openapi.json'"), init.body());
    assertEquals(404, send("GET", bundle.group(1).replace("swagger-ui-bundle.js", "swagger-initializer.js"), null, null, null).statusCode(),
        "the webjar's sample initializer (a public pet store) is not served");
    assertEquals(200, send("GET", "/api/docs/", null, null, null).statusCode());
    // The dashboard keeps its own, stricter policy.
    String dashboard = send("GET", "/", null, null, null).headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(dashboard.contains("style-src 'self';") && dashboard.contains("media-src") && !dashboard.contains("unsafe"), dashboard);
    // Open to read, not to write.
    assertEquals(401, send("POST", "/api/docs", "{}", null, "application/json").statusCode());
  }

  /** The router's own answers for a path or method it has no route for. */
  private static boolean notServed(HttpResponse<String> r) {
    if (r.statusCode() == 405) return true;
    return r.statusCode() == 404 && r.body().contains("\"no such resource\"");
  }

  private static String concrete(String template) {
    return template.replace("{id}", "1").replace("{username}", "nobody");
  }

  private static void awaitListed(String cameraId) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!send("GET", "/api/cameras", null, admin, null).body().contains("\"" + cameraId + "\"")) {
      if (System.nanoTime() > deadline) throw new AssertionError(cameraId + " never listed");
      poll();
    }
  }

  private static long awaitDetection() {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      JsonNode items = json(send("GET", "/api/detections?camera=cam-oa", null, admin, null)).path("items");
      if (items.size() > 0) return items.get(0).get("id").asLong();
      if (System.nanoTime() > deadline) throw new AssertionError("the ingested detection never reached the read side");
      poll();
    }
  }

  private static String camera(String id) {
    return "{\"id\": \"" + id + "\", \"name\": \"" + id + "\", \"sourceUrl\": \"http://127.0.0.1:9/snapshot.jpg\","
        + " \"sourceKind\": \"snapshot\", \"fps\": 1.0, \"enabled\": false}";
  }

  private static HttpResponse<String> send(String method, String path, String body, String token, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null && contentType != null) b.header("Content-Type", contentType);
    if (token != null) b.header("Authorization", "Bearer " + token);
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + r.body(), e);
    }
  }

  private static void poll() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
