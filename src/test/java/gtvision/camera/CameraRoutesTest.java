package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gtvision.camera.readside.CameraTable;
import gtvision.http.ApiRoutes;
import gtvision.http.Json;
import gtvision.inference.DetectRoutes;
import gtvision.inference.Inference;
import gtvision.metrics.Metrics;
import gtvision.persistence.Database;
import gtvision.testsupport.JUnit5RouteTest;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint and every error case of the camera API, on a running node (real journal). */
class CameraRoutesTest extends JUnit5RouteTest {
  @TempDir static Path dataDir;
  private static TestNodes.Node node;
  private static Route route;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestDatabases.preferPostgres("routes", dataDir));
    var system = node.system();
    var registry = Metrics.get(system).registry();
    Cameras cameras = new Cameras(system, new CameraMetrics(registry), CameraTable.listing(Database.get(system)));
    Inference.Handle inference = Inference.start(system, system.settings().config(), registry);
    route = ApiRoutes.create(system, UnaryOperator.identity(),
        List.of(CameraRoutes.create(system, cameras).route(), DetectRoutes.create(system, inference.router()).route()),
        Map.of("inference", inference.health()));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Override
  protected ActorSystem classicSystem() {
    return Adapter.toClassic(node.system());
  }

  private static String camera(String id) {
    return """
        {"id": "%s", "name": "Gate 3", "sourceUrl": "rtsp://user:pw@10.0.0.7/stream1",
         "sourceKind": "rtsp", "fps": 1.0, "location": {"lat": -23.5, "lon": -46.6},
         "tags": ["gate"], "enabled": false}""".formatted(id);
  }

  private TestRouteResult post(String uri, String json) {
    return testRoute(route).run(HttpRequest.POST(uri).withEntity(ContentTypes.APPLICATION_JSON, json));
  }

  private TestRouteResult put(String uri, String json) {
    return testRoute(route).run(HttpRequest.PUT(uri).withEntity(ContentTypes.APPLICATION_JSON, json));
  }

  private TestRouteResult get(String uri) {
    return testRoute(route).run(HttpRequest.GET(uri));
  }

  private static JsonNode json(TestRouteResult result) {
    try {
      return Json.get(node.system()).mapper().readTree(result.entityString());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + result.entityString(), e);
    }
  }

  private static void assertError(TestRouteResult result, int status, String field) {
    result.assertStatusCode(status).assertMediaType("application/json");
    JsonNode body = json(result);
    assertTrue(body.hasNonNull("error"), body.toString());
    if (field != null) assertEquals(field, body.path("field").asText(), body.toString());
    assertFalse(result.entityString().contains("Exception"), "no stack trace or exception name: " + body);
  }

  @Test
  void registerAnswers201WithTheCameraAndAMaskedUrl() {
    var result = post("/api/cameras", camera("cam-reg"));
    result.assertStatusCode(StatusCodes.CREATED);
    JsonNode body = json(result);
    assertEquals("cam-reg", body.get("id").asText());
    assertEquals("rtsp://user:***@10.0.0.7/stream1", body.get("sourceUrl").asText());
    assertEquals("registered", body.get("status").asText());
    assertFalse(result.entityString().contains(":pw@"));
  }

  @Test
  void registeringTheSameIdTwiceIs409() {
    post("/api/cameras", camera("cam-twice")).assertStatusCode(StatusCodes.CREATED);
    assertError(post("/api/cameras", camera("cam-twice")), 409, "id");
  }

  @Test
  void invalidFieldsAre400NamingTheField() {
    assertError(post("/api/cameras", camera("Bad Id")), 400, "id");
    assertError(post("/api/cameras", camera("cam-fps").replace("\"fps\": 1.0", "\"fps\": 99")), 400, "fps");
    assertError(post("/api/cameras", camera("cam-kind").replace("\"rtsp\",", "\"webcam\",")), 400, "sourceKind");
    assertError(post("/api/cameras", camera("cam-url").replace("rtsp://user:pw@10.0.0.7/stream1", "nonsense url")),
        400, "sourceUrl");
    assertError(post("/api/cameras", camera("cam-type").replace("\"fps\": 1.0", "\"fps\": \"fast\"")), 400, "fps");
    assertError(post("/api/cameras", camera("cam-lat").replace("\"lat\": -23.5, ", "")), 400, "location.lat");
    assertError(post("/api/cameras", camera("cam-unknown").replace("\"fps\"", "\"fpz\"")), 400, "fpz");
    assertError(post("/api/cameras", camera("x").replace("\"id\": \"x\", ", "")), 400, "id");
  }

  @Test
  void brokenJsonIs400() {
    assertError(post("/api/cameras", "{\"id\": \"cam-x\", "), 400, "body");
    assertError(post("/api/cameras", "[1, 2]"), 400, null);
    assertError(post("/api/cameras", ""), 400, null);
  }

  @Test
  void aTwoMebibyteBodyIs413() {
    String huge = camera("cam-huge").replace("\"Gate 3\"", "\"" + "x".repeat(2 * 1024 * 1024) + "\"");
    assertError(post("/api/cameras", huge), 413, "body");
  }

  @Test
  void aNonJsonContentTypeIs415() {
    var result = testRoute(route).run(
        HttpRequest.POST("/api/cameras").withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, camera("cam-txt"))));
    assertError(result, 415, null);
  }

  @Test
  void getShowsTheFullStateAndUnknownIs404() {
    post("/api/cameras", camera("cam-get")).assertStatusCode(StatusCodes.CREATED);
    var result = get("/api/cameras/cam-get");
    result.assertStatusCode(StatusCodes.OK);
    JsonNode body = json(result);
    assertEquals("idle", body.at("/health/state").asText());
    assertEquals(0, body.at("/counters/framesSeen").asLong());
    assertTrue(body.get("lastDetections").isArray());
    assertNotNull(body.get("createdAt").asText());
    assertError(get("/api/cameras/cam-nobody"), 404, "id");
  }

  @Test
  void putUpdatesAndValidates() {
    post("/api/cameras", camera("cam-put")).assertStatusCode(StatusCodes.CREATED);
    var result = put("/api/cameras/cam-put", camera("cam-put").replace("Gate 3", "Gate 4").replace("\"fps\": 1.0", "\"fps\": 2.5"));
    result.assertStatusCode(StatusCodes.OK);
    assertEquals("Gate 4", json(result).get("name").asText());
    assertEquals(2.5, json(get("/api/cameras/cam-put")).get("fps").asDouble());
    assertError(put("/api/cameras/cam-put", camera("cam-put").replace("\"fps\": 1.0", "\"fps\": 0")), 400, "fps");
    assertError(put("/api/cameras/cam-put", camera("cam-other")), 400, "id");
    assertError(put("/api/cameras/cam-none", camera("cam-none")), 404, "id");
  }

  @Test
  void enableAndDisableChangeTheStatus() {
    post("/api/cameras", camera("cam-on")).assertStatusCode(StatusCodes.CREATED);
    var enabled = post("/api/cameras/cam-on/enable", "");
    enabled.assertStatusCode(StatusCodes.OK);
    assertEquals("enabled", json(enabled).get("status").asText());
    assertTrue(json(enabled).get("enabled").asBoolean());
    var disabled = post("/api/cameras/cam-on/disable", "");
    assertEquals("disabled", json(disabled).get("status").asText());
    assertError(post("/api/cameras/cam-nobody/enable", ""), 404, "id");
    assertError(post("/api/cameras/cam-nobody/disable", ""), 404, "id");
  }

  @Test
  void deleteRemovesTheCameraAndUpdateOfARemovedCameraIs404() {
    post("/api/cameras", camera("cam-del")).assertStatusCode(StatusCodes.CREATED);
    testRoute(route).run(HttpRequest.DELETE("/api/cameras/cam-del")).assertStatusCode(StatusCodes.NO_CONTENT);
    assertError(get("/api/cameras/cam-del"), 404, "id");
    assertError(put("/api/cameras/cam-del", camera("cam-del")), 404, "id");
    assertError(testRoute(route).run(HttpRequest.DELETE("/api/cameras/cam-del")), 404, "id");
  }

  @Test
  void listPagesThroughTheReadSideWithACursor() throws InterruptedException {
    for (int i = 0; i < 7; i++) post("/api/cameras", camera("list-" + i)).assertStatusCode(StatusCodes.CREATED);
    post("/api/cameras/list-3/enable", "").assertStatusCode(StatusCodes.OK);
    // The read side takes each camera's events from its tag slice, and slices advance independently.
    for (int i = 0; i < 7; i++) awaitListed("list-" + i, null, null);
    awaitListed("list-6", "enabled", "list-3");

    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      var page = json(get("/api/cameras?limit=3" + (cursor == null ? "" : "&cursor=" + cursor)));
      page.get("items").forEach(item -> {
        assertTrue(seen.add(item.get("id").asText()), "no camera twice");
        assertFalse(item.get("sourceUrl").asText().contains(":pw@"));
      });
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
      pages++;
    } while (cursor != null && pages < 100);
    for (int i = 0; i < 7; i++) assertTrue(seen.contains("list-" + i), "list-" + i + " listed");

    var enabledOnly = json(get("/api/cameras?status=enabled&limit=500"));
    enabledOnly.get("items").forEach(item -> assertEquals("enabled", item.get("status").asText()));
  }

  @Test
  void badListParametersAre400() {
    assertError(get("/api/cameras?limit=0"), 400, "limit");
    assertError(get("/api/cameras?limit=abc"), 400, "limit");
    assertError(get("/api/cameras?limit=100000"), 400, "limit");
    assertError(get("/api/cameras?cursor=***"), 400, "cursor");
  }

  @Test
  void unknownPathsAndMethodsAnswerJson() {
    assertError(get("/api/nothing"), 404, null);
    assertError(testRoute(route).run(HttpRequest.PATCH("/api/cameras/cam-x")), 405, null);
  }

  @Test
  void healthIs200WhenTheJournalAnswers() {
    var result = get("/health");
    result.assertStatusCode(StatusCodes.OK);
    assertEquals("up", json(result).get("journal").asText());
    assertEquals("up", json(result).get("status").asText());
  }

  @Test
  void metricsExposeCommandsPersistLatencyHttpLatencyAndCamerasByStatus() throws InterruptedException {
    post("/api/cameras", camera("cam-metrics")).assertStatusCode(StatusCodes.CREATED);
    get("/api/cameras/cam-metrics").assertStatusCode(StatusCodes.OK);
    awaitListed("cam-metrics", null, null);
    // The status gauge counts the read side on its own schedule (every 500 ms in tests).
    String text = awaitMetrics(t -> t.matches("(?s).*gtv_cameras\\{status=\"registered\"} [1-9].*"));
    assertTrue(text.contains("gtv_camera_commands_total{outcome=\"accepted\",type=\"register\"}"), text);
    assertTrue(text.contains("gtv_camera_persist_seconds_bucket"));
    assertTrue(text.contains("gtv_http_server_requests_seconds_bucket{method=\"GET\",route=\"/api/cameras/{id}\",status=\"200\""));
    assertTrue(text.matches("(?s).*gtv_cameras\\{status=\"registered\"} [1-9].*"), "cameras by status");
    assertTrue(text.contains("jvm_memory_used_bytes"));
    assertTrue(text.contains("gtv_cluster_members{status=\"up\"} 1.0"));
    assertTrue(text.contains("gtv_projection_lag_seconds{projection=\"cameras\"}"));
  }

  /** Polls {@code /metrics} until its text satisfies {@code condition}; returns that text. */
  private String awaitMetrics(Predicate<String> condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    String text = get("/metrics").entityString();
    while (!condition.test(text) && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
      text = get("/metrics").entityString();
    }
    return text;
  }

  /** Waits until the read side lists {@code id} (optionally: {@code statusId} with {@code status}). */
  private void awaitListed(String id, String status, String statusId) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      String all = get("/api/cameras?limit=500").entityString();
      boolean listed = all.contains("\"id\":\"" + id + "\"");
      boolean statusOk = status == null || json(get("/api/cameras?limit=500&status=" + status)).toString().contains(statusId);
      if (listed && statusOk) return;
      Thread.sleep(100);
    }
    throw new AssertionError(id + " never appeared on the read side");
  }

  @Test
  void cursorRoundTrips() {
    assertEquals("cam-17", CameraRoutes.decodeCursor(Optional.of(CameraRoutes.encodeCursor("cam-17"))).orElseThrow().orElseThrow());
    assertNull(CameraRoutes.decodeCursor(Optional.of("!!")).orElse(null));
  }
}
