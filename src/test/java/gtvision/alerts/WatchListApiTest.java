package gtvision.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.LiveFeedClient;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The watch list through the API on a real node (its entity, this node's view, the cameras that use it),
 * and the alerts it raises: in {@code GET /api/alerts}, newest first with keyset paging.
 */
class WatchListApiTest {
  private static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
  private static final ObjectMapper MAPPER = new ObjectMapper();
  @TempDir static Path dir;
  private static TestNodes.Node node;
  private static CameraApi api;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestDatabases.preferPostgres("watchlist_api", dir), ConfigFactory.parseString(String.join("\n",
        "gtv.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
        "gtv.tracking.max-misses = 2")));
    api = new CameraApi(node);
    api.register("gate-cam", "snapshot", "http://127.0.0.1:9/snapshot.jpg", 1.0, "\"enabled\": false");
    api.register("yard-cam", "snapshot", "http://127.0.0.1:9/snapshot.jpg", 1.0, "\"enabled\": false");
    api.register("live-cam", "snapshot", "http://127.0.0.1:9/snapshot.jpg", 1.0, "\"enabled\": false");
    await(() -> call("GET", "/api/cameras?limit=500", "").body().contains("\"live-cam\""), "cameras in the read side");
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  private static HttpResponse<String> call(String method, String path, String body) {
    return api.request(method, path, body);
  }

  private static JsonNode json(HttpResponse<String> r, int status) {
    assertEquals(status, r.statusCode(), r.body());
    try {
      return MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode add(String pattern, String label, Boolean enabled) {
    String body = "{\"pattern\": \"" + pattern + "\", \"label\": \"" + label + "\""
        + (enabled == null ? "" : ", \"enabled\": " + enabled) + "}";
    return json(call("POST", "/api/watchlist", body), 201);
  }

  /** One car frame per second with a plate read, frames numbered from {@code seq}. */
  private static HttpResponse<String> ingest(String camera, int fromSecond, int frames, String plate, long seq) {
    List<String> items = new ArrayList<>();
    for (int s = 0; s < frames; s++) {
      double x = 100 + 30 * s;
      items.add("""
          {"cameraId": "%s", "timestamp": "%s", "class": "car", "confidence": 0.9, "bbox": [%s, 200, %s, 400],
           "plate": "%s", "plateConfidence": 0.8, "frameSequence": %d}"""
          .formatted(camera, BASE.plusSeconds(fromSecond + s), x, x + 300, plate, seq + s));
    }
    return call("POST", "/api/ingest/detections", "{\"detections\": [" + String.join(",", items) + "]}");
  }

  @Test
  void entriesAreAddedReadReplacedAndDeleted() {
    JsonNode added = add("ab-12 cd", "stolen, call desk 3", null);
    String id = added.get("id").asText();
    assertEquals("AB12CD", added.get("pattern").asText(), "stored normalised");
    assertTrue(added.get("enabled").asBoolean(), "enabled unless said otherwise");
    JsonNode read = json(call("GET", "/api/watchlist/" + id, ""), 200);
    assertEquals("stolen, call desk 3", read.get("label").asText());
    boolean listed = false;
    for (JsonNode e : json(call("GET", "/api/watchlist", ""), 200).get("items")) listed |= e.get("id").asText().equals(id);
    assertTrue(listed);

    JsonNode replaced = json(call("PUT", "/api/watchlist/" + id, "{\"pattern\": \"AB1?CD\", \"label\": \"fleet\", \"enabled\": false}"), 200);
    assertEquals("AB1?CD", replaced.get("pattern").asText());
    assertFalse(replaced.get("enabled").asBoolean());
    JsonNode kept = json(call("PUT", "/api/watchlist/" + id, "{\"pattern\": \"AB1?CD\", \"label\": \"fleet 2\"}"), 200);
    assertFalse(kept.get("enabled").asBoolean(), "PUT without enabled keeps it");
    assertEquals(added.get("createdAt").asText(), kept.get("createdAt").asText());

    assertEquals(204, call("DELETE", "/api/watchlist/" + id, "").statusCode());
    assertEquals(404, call("GET", "/api/watchlist/" + id, "").statusCode());
    assertEquals(404, call("DELETE", "/api/watchlist/" + id, "").statusCode());
    JsonNode missing = json(call("PUT", "/api/watchlist/" + id, "{\"pattern\": \"AB12CD\", \"label\": \"x\"}"), 404);
    assertEquals("id", missing.get("field").asText());
  }

  @ParameterizedTest(name = "{0} -> 400 on {1}")
  @CsvSource(delimiter = '|', value = {
    "{\"label\": \"x\"}| pattern",
    "{\"pattern\": \"\", \"label\": \"x\"}| pattern",
    "{\"pattern\": \"**??\", \"label\": \"x\"}| pattern",
    "{\"pattern\": \"AB.12\", \"label\": \"x\"}| pattern",
    "{\"pattern\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", \"label\": \"x\"}| pattern",
    "{\"pattern\": \"AB12CD\"}| label",
    "{\"pattern\": \"AB12CD\", \"label\": \"  \"}| label",
    "{\"pattern\": \"AB12CD\", \"label\": \"x\", \"colour\": \"red\"}| colour",
    "{\"pattern\": \"AB12CD\", \"label\": \"x\", \"enabled\": \"yes\"}| enabled",
  })
  void badEntriesAre400WithTheField(String body, String field) {
    JsonNode error = json(call("POST", "/api/watchlist", body), 400);
    assertEquals(field, error.path("field").asText(), error.toString());
    assertFalse(error.get("error").asText().isBlank());
  }

  @Test
  void aBadReplacementIs400AndLeavesTheEntryAsItWas() {
    String id = add("QQ11QQ", "x", false).get("id").asText();
    JsonNode error = json(call("PUT", "/api/watchlist/" + id, "{\"pattern\": \"Q!\", \"label\": \"y\"}"), 400);
    assertEquals("pattern", error.get("field").asText());
    assertEquals("QQ11QQ", json(call("GET", "/api/watchlist/" + id, ""), 200).get("pattern").asText());
  }

  @Test
  void aWatchedPlateRaisesOneAlertPerObjectAndTheObjectShowsItsPlate() throws Exception {
    String stolen = add("GT*77", "stolen", null).get("id").asText();
    add("GTV177", "disabled one", false);
    // Seen on both cameras; on the gate twice, as two objects far apart in time.
    assertEquals(200, ingest("gate-cam", 0, 4, "GTV-177", 1).statusCode());
    assertEquals(200, ingest("gate-cam", 600, 4, "GTV-177", 10).statusCode());
    assertEquals(200, ingest("yard-cam", 300, 4, "gtv177", 1).statusCode());

    JsonNode all = await(() -> {
      // The live-feed test's alert is later than this window.
      JsonNode page = json(call("GET", "/api/alerts?limit=10&to=" + BASE.plusSeconds(1000), ""), 200);
      return page.get("items").size() == 3 ? page : null;
    }, "three alerts");
    List<String> cameras = new ArrayList<>();
    for (JsonNode a : all.get("items")) {
      cameras.add(a.get("cameraId").asText());
      assertEquals("GTV177", a.get("plate").asText());
      assertEquals(stolen, a.get("entryId").asText(), "the disabled entry raised nothing");
      assertEquals("GT*77", a.get("pattern").asText());
      assertEquals("stolen", a.get("label").asText());
      assertEquals("car", a.get("class").asText());
    }
    assertEquals(List.of("gate-cam", "yard-cam", "gate-cam"), cameras, "newest first by capture time");
    assertEquals(BASE.plusSeconds(601).toString(), all.get("items").get(0).get("seenAt").asText(),
        "seen in the frame that confirmed the object");

    JsonNode first = json(call("GET", "/api/alerts?camera=gate-cam&limit=1", ""), 200);
    assertEquals(1, first.get("items").size());
    JsonNode second = json(call("GET", "/api/alerts?camera=gate-cam&limit=1&cursor=" + first.get("nextCursor").asText(), ""), 200);
    assertEquals(1, second.get("items").size());
    assertTrue(second.get("nextCursor").isNull());
    assertTrue(Instant.parse(first.get("items").get(0).get("seenAt").asText())
        .isAfter(Instant.parse(second.get("items").get(0).get("seenAt").asText())));
    String window = "from=" + BASE.plusSeconds(200) + "&to=" + BASE.plusSeconds(400);
    assertEquals(List.of("yard-cam"), cameraIds(json(call("GET", "/api/alerts?" + window, ""), 200)));

    // The yard's object is still active (no frame ended it): it shows its chosen plate meanwhile. The objects
    // read side is a projection of its own, which may not have caught up when the alerts one has.
    JsonNode yard = await(() -> {
      JsonNode items = json(call("GET", "/api/events?camera=yard-cam&plate=GTV-177", ""), 200).get("items");
      return items.size() == 1 ? items : null;
    }, "the yard's object found by its plate");
    assertEquals("GTV177", yard.get(0).get("plate").asText());
    assertTrue(yard.get(0).get("endedAt").isNull());
    JsonNode detail = json(call("GET", "/api/events/" + yard.get(0).get("id").asLong(), ""), 200);
    assertEquals("GTV177", detail.get("event").get("plate").asText());
    assertEquals("GTV177", detail.get("timeline").get(0).get("plate").asText(), "the started record carries the plate");
  }

  @Test
  void anAlertIsOnTheLiveFeedAtOnce() throws Exception {
    add("LV 12*", "live", null);
    URI live = URI.create(node.baseUrl().replaceFirst("^http", "ws") + "/api/live?camera=live-cam");
    try (LiveFeedClient feed = LiveFeedClient.reading(live)) {
      // The connection joins the feed asynchronously: frames until one comes back show it has.
      long seq = 1;
      String first = null;
      for (int i = 0; i < 60 && first == null; i++) {
        String person = "{\"cameraId\": \"live-cam\", \"timestamp\": \"" + BASE.plusSeconds(2000 + i) + "\", \"class\": \"person\","
            + " \"confidence\": 0.9, \"bbox\": [1500, 100, 1540, 200], \"frameSequence\": " + seq++ + "}";
        assertEquals(200, call("POST", "/api/ingest/detections", "{\"detections\": [" + person + "]}").statusCode());
        first = feed.next(1);
      }
      assertTrue(first != null, "the live feed answers");
      assertEquals(200, ingest("live-cam", 2100, 3, "LV1234", 100).statusCode());
      JsonNode alert = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (alert == null && System.nanoTime() < deadline) {
        String message = feed.next(1);
        if (message != null && MAPPER.readTree(message).path("type").asText().equals("alert")) alert = MAPPER.readTree(message);
      }
      assertTrue(alert != null, "an alert message on the live feed");
      assertEquals(1, alert.get("version").asInt());
      assertEquals("live-cam", alert.get("cameraId").asText());
      assertEquals("LV1234", alert.get("plate").asText());
      assertEquals("LV12*", alert.get("pattern").asText());
      assertEquals("live", alert.get("label").asText());
    }
  }

  private static List<String> cameraIds(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(a -> ids.add(a.get("cameraId").asText()));
    return ids;
  }

  @ParameterizedTest(name = "{0} -> 400 on {1}")
  @CsvSource({
    "cursor=nonsense, cursor",
    "from=yesterday, from",
    "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z, to",
    "limit=0, limit",
    "limit=501, limit",
    "camera=Not A Camera, camera",
    "plate=AB12CD, plate",
  })
  void badAlertQueriesAre400WithTheField(String query, String field) {
    List<String> encoded = new ArrayList<>();
    for (String p : query.split("&")) {
      int eq = p.indexOf('=');
      encoded.add(p.substring(0, eq) + "=" + URLEncoder.encode(p.substring(eq + 1), StandardCharsets.UTF_8));
    }
    JsonNode error = json(call("GET", "/api/alerts?" + String.join("&", encoded), ""), 400);
    assertEquals(field, error.get("field").asText());
  }

  private static <T> T await(Supplier<T> probe, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      T value = probe.get();
      if (value != null && !Boolean.FALSE.equals(value)) return value;
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
