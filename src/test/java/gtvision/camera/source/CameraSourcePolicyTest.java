package gtvision.camera.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The camera source policy (SSRF) through a whole node: refused sources are 400 naming sourceUrl,
 * HTTP cameras follow only redirects that pass the policy, credentials stay with their origin and the
 * health's lastError never quotes what a server sent.
 */
class CameraSourcePolicyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String LEAK = "LEAKED-SECRET";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir static Path dataDir;
  static TestNodes.Node node;
  static CameraApi api;
  static HttpServer camera;
  static HttpServer other;
  static final List<String> cameraHosts = new CopyOnWriteArrayList<>();
  static final List<String> otherAuthorizations = new CopyOnWriteArrayList<>();
  static final List<String> cameraAuthorizations = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    byte[] jpeg = TestImages.still("kite.jpg", 320);
    other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext("/snap.jpg", ex -> {
      otherAuthorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      send(ex, 200, "image/jpeg", jpeg);
    });
    other.start();
    camera = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    camera.createContext("/snap.jpg", ex -> {
      cameraHosts.add(String.valueOf(ex.getRequestHeaders().getFirst("Host")));
      send(ex, 200, "image/jpeg", jpeg);
    });
    camera.createContext("/to-snap", ex -> redirect(ex, "/snap.jpg"));
    camera.createContext("/to-metadata", ex -> redirect(ex, "http://169.254.169.254/latest/meta-data/iam/" + LEAK));
    camera.createContext("/loop", ex -> redirect(ex, "/loop"));
    camera.createContext("/forbidden", ex -> {
      ex.getResponseHeaders().add("X-Debug", LEAK);
      send(ex, 403, "text/plain", (LEAK + " internal service banner").getBytes(StandardCharsets.UTF_8));
    });
    camera.createContext("/html", ex -> send(ex, 200, "text/html; charset=" + LEAK,
        ("<html>" + LEAK + "</html>").getBytes(StandardCharsets.UTF_8)));
    camera.createContext("/basic-then-away", ex -> {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      cameraAuthorizations.add(String.valueOf(auth));
      if (auth == null) {
        ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"cam\"");
        send(ex, 401, "text/plain", new byte[0]);
      } else {
        redirect(ex, "http://127.0.0.1:" + other.getAddress().getPort() + "/snap.jpg");
      }
    });
    camera.start();
    node = TestNodes.start(TestDatabases.h2(dataDir), IngestTestConfig.fast(), system -> new gtvision.camera.stream.CountingAnalyser());
    api = new CameraApi(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (camera != null) camera.stop(0);
    if (other != null) other.stop(0);
  }

  private static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().add("Location", location);
    ex.getResponseHeaders().add("X-Debug", LEAK);
    send(ex, 302, "text/plain", LEAK.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (var out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + camera.getAddress().getPort() + path;
  }

  private static String body(String id, String kind, String sourceUrl) {
    return """
        {"id": "%s", "name": "Camera %s", "sourceUrl": "%s", "sourceKind": "%s", "fps": 2.0, "enabled": true}"""
        .formatted(id, id, sourceUrl, kind);
  }

  private static JsonNode assertRefused(HttpResponse<String> response) throws IOException {
    assertEquals(400, response.statusCode(), response.body());
    JsonNode error = MAPPER.readTree(response.body());
    assertEquals("sourceUrl", error.path("field").asText(), response.body());
    return error;
  }

  private static JsonNode register(String id, String kind, String sourceUrl) throws IOException {
    return assertRefused(api.request("POST", "/api/cameras", body(id, kind, sourceUrl)));
  }

  @Test
  void aCloudMetadataAddressIsRefusedAtRegistration() throws Exception {
    JsonNode error = register("meta-1", "snapshot", "http://169.254.169.254/latest/meta-data/");
    assertTrue(error.path("error").asText().contains("cloud metadata"), error.toString());
    register("meta-2", "snapshot", "http://metadata.google.internal/computeMetadata/v1/");
    register("meta-3", "mjpeg", "http://[fd00:ec2::254]/latest");
    assertEquals(404, api.request("GET", "/api/cameras/meta-1", "").statusCode());
  }

  @Test
  void linkLocalAddressesAreRefused() throws Exception {
    JsonNode error = register("ll-1", "rtsp", "rtsp://169.254.10.20/stream");
    assertTrue(error.path("error").asText().contains("link-local"), error.toString());
    register("ll-2", "snapshot", "http://[fe80::1]/snap.jpg");
  }

  @Test
  void theNodesOwnHttpAndManagementPortsAreRefused() throws Exception {
    JsonNode http = register("own-http", "snapshot", "http://127.0.0.1:" + node.httpPort() + "/api/cameras");
    assertTrue(http.path("error").asText().contains("own port " + node.httpPort()), http.toString());
    register("own-mgmt", "snapshot", "http://localhost:" + node.managementPort() + "/ready");
    register("own-artery", "rtsp", "rtsp://127.0.0.1:" + node.clusterPort() + "/x");
  }

  @Test
  void theFileKindIsRefusedUnlessSwitchedOn() throws Exception {
    JsonNode error = register("file-1", "file", "file:///etc/passwd");
    assertTrue(error.path("error").asText().contains("gtv.camera.allow-file-sources"), error.toString());
  }

  @Test
  void anUpdateToARefusedSourceIsRefusedAndTheCameraKeepsItsSource() throws Exception {
    api.register("upd-1", "snapshot", url("/snap.jpg"), 1.0);
    assertRefused(api.request("PUT", "/api/cameras/upd-1", body("upd-1", "snapshot", "http://169.254.169.254/")));
    assertEquals(url("/snap.jpg"), api.get("upd-1").path("sourceUrl").asText());
    api.remove("upd-1");
  }

  @Test
  void aPinnedConnectionSendsTheCamerasNameAsHost() {
    String byName = "http://localhost:" + camera.getAddress().getPort() + "/snap.jpg";
    api.register("pinned-1", "snapshot", byName, 2.0);
    api.awaitState("pinned-1", "connected", WAIT);
    assertTrue(cameraHosts.contains("localhost:" + camera.getAddress().getPort()), cameraHosts.toString());
    api.remove("pinned-1");
  }

  @Test
  void aRedirectToTheMetadataAddressIsRefusedWithoutEchoingTheServer() {
    api.register("redir-meta", "snapshot", url("/to-metadata"), 2.0);
    JsonNode c = api.awaitState("redir-meta", "lost", WAIT);
    String error = c.path("health").path("lastError").asText();
    assertTrue(error.contains("redirect to a refused address"), error);
    assertTrue(error.contains("cloud metadata"), error);
    assertFalse(c.toString().contains(LEAK), c.toString());
    assertFalse(error.contains("169.254"), error);
    api.remove("redir-meta");
  }

  @Test
  void aRedirectToAnAllowedTargetIsFollowed() {
    // Counted before the camera exists: its first fetch may come before register() returns.
    int before = cameraHosts.size();
    api.register("redir-ok", "snapshot", url("/to-snap"), 2.0);
    api.awaitState("redir-ok", "connected", WAIT);
    api.await("redir-ok", WAIT, s -> !s.path("health").path("lastFrameAt").isNull()
        && !s.path("health").path("lastFrameAt").isMissingNode(), "a frame through the redirect");
    assertTrue(cameraHosts.size() > before, "the redirect target was asked");
    api.remove("redir-ok");
  }

  @Test
  void endlessRedirectsStopAfterFive() {
    api.register("redir-loop", "snapshot", url("/loop"), 2.0);
    String error = api.awaitState("redir-loop", "lost", WAIT).path("health").path("lastError").asText();
    assertTrue(error.contains("more than 5 redirects"), error);
    api.remove("redir-loop");
  }

  @Test
  void credentialsAreNotSentToAnotherOrigin() {
    String withCredentials = "http://admin:pw@127.0.0.1:" + camera.getAddress().getPort() + "/basic-then-away";
    api.register("cred-away", "snapshot", withCredentials, 2.0);
    api.awaitState("cred-away", "connected", WAIT);
    String basic = "Basic " + Base64.getEncoder().encodeToString("admin:pw".getBytes(StandardCharsets.UTF_8));
    assertTrue(cameraAuthorizations.contains(basic), cameraAuthorizations.toString());
    assertFalse(otherAuthorizations.isEmpty());
    assertTrue(otherAuthorizations.stream().allMatch("null"::equals), otherAuthorizations.toString());
    api.remove("cred-away");
  }

  @Test
  void lastErrorSaysWhatWentWrongWithoutTheServersHeadersOrBody() {
    api.register("leak-403", "snapshot", url("/forbidden"), 2.0);
    api.register("leak-html", "snapshot", url("/html"), 2.0);
    JsonNode forbidden = api.awaitState("leak-403", "lost", WAIT);
    assertEquals("HTTP status 403 from the camera", forbidden.path("health").path("lastError").asText());
    JsonNode html = api.awaitState("leak-html", "lost", WAIT);
    String error = html.path("health").path("lastError").asText();
    assertTrue(error.startsWith("not a JPEG"), error);
    assertFalse(forbidden.toString().contains(LEAK), forbidden.toString());
    assertFalse(html.toString().contains(LEAK), html.toString());
    assertFalse(error.contains("text/html"), error);
    api.remove("leak-403");
    api.remove("leak-html");
  }

  @Test
  void aRefusedConnectionSaysSo() {
    int closed = TestNodes.freePort();
    api.register("refused-1", "snapshot", "http://127.0.0.1:" + closed + "/snap.jpg", 2.0);
    String error = api.awaitState("refused-1", "lost", WAIT).path("health").path("lastError").asText();
    assertTrue(error.contains("connection refused"), error);
    api.remove("refused-1");
  }
}
