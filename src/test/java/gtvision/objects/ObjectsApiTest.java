package gtvision.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real node: bulk-ingested frames of a moving box (with frameSequence) become one tracked object whose
 * detections share its trackId; GET /api/events lists it, ended after the tracker misses it; the API's
 * bad input answers 400 with the error body.
 */
class ObjectsApiTest {
  private static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
  private static final ObjectMapper MAPPER = new ObjectMapper();
  @TempDir static Path dir;
  private static TestNodes.Node node;
  private static CameraApi cameras;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestDatabases.preferPostgres("objects_api", dir), ConfigFactory.parseString(String.join("\n",
        "gtv.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
        "gtv.tracking.max-misses = 2")));
    cameras = new CameraApi(node);
    cameras.register("obj-cam", "snapshot", "http://127.0.0.1:9/snapshot.jpg", 1.0, "\"enabled\": false");
    cameras.register("page-cam", "snapshot", "http://127.0.0.1:9/snapshot.jpg", 1.0, "\"enabled\": false");
    cameras.register("zone-cam", "snapshot", "http://127.0.0.1:9/snapshot.jpg", 1.0, String.join("\n",
        "\"enabled\": false,",
        "\"zones\": [{\"name\": \"lot\", \"polygon\": [[0, 0.5], [1, 0.5], [1, 1], [0, 1]], \"loiterAfter\": 600}],",
        "\"lines\": [{\"name\": \"gate\", \"from\": [0, 0.5], \"to\": [1, 0.5], \"classes\": [\"car\"]}]"));
    await(() -> get("/api/cameras?limit=500").body().contains("\"zone-cam\""), "cameras in the read side");
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  private static String item(int second, String cls, double x, long frameSequence) {
    return item("obj-cam", second, cls, x, frameSequence);
  }

  private static String item(String camera, int second, String cls, double x, long frameSequence) {
    return """
        {"cameraId": "%s", "timestamp": "%s", "class": "%s", "confidence": 0.9, "bbox": [%s, 200, %s, 400],
         "frameWidth": 1920, "frameHeight": 1080, "frameSequence": %d}"""
        .formatted(camera, BASE.plusSeconds(second), cls, x, x + 300, frameSequence);
  }

  @Test
  void aMovingBoxIngestedOverSeveralFramesIsOneObjectThatEndsAfterMisses() throws Exception {
    List<String> frames = new ArrayList<>();
    for (int s = 0; s < 6; s++) frames.add(item(s, "car", 100 + 30 * s, s + 1));
    assertEquals(200, ingest(frames).statusCode());
    // The next request goes on in capture order: only a person far away, so the car misses its frames.
    List<String> later = new ArrayList<>();
    for (int s = 6; s < 10; s++) later.add(item(s, "person", 1500, s + 1));
    assertEquals(200, ingest(later).statusCode());

    JsonNode car = await(() -> {
      JsonNode items = json("/api/events?camera=obj-cam&class=car").get("items");
      return items.size() == 1 && !items.get(0).get("endedAt").isNull() ? items.get(0) : null;
    }, "the car's object, ended");
    assertEquals("obj-cam", car.get("cameraId").asText());
    assertEquals(BASE.toString(), car.get("startedAt").asText());
    assertEquals(BASE.plusSeconds(5).toString(), car.get("endedAt").asText(), "ended at its last sighting");
    assertEquals(5000, car.get("durationMs").asLong());
    assertTrue(car.get("plate").isNull());
    assertEquals(0, car.get("zones").size());
    assertTrue(car.get("bestFrameUrl").isNull(), "ingested frames have no stored evidence");
    long trackId = car.get("trackId").asLong();

    JsonNode detections = awaitJson("/api/detections?camera=obj-cam&class=car&limit=100",
        page -> page.get("items").size() == 6);
    Set<Long> ids = new HashSet<>();
    int untracked = 0;
    for (JsonNode d : detections.get("items")) {
      if (d.get("trackId").isNull()) untracked++;
      else ids.add(d.get("trackId").asLong());
    }
    assertEquals(Set.of(trackId), ids, "the detections share the object's trackId");
    assertEquals(1, untracked, "only the first sighting, before the track was confirmed");

    JsonNode detail = json("/api/events/" + car.get("id").asLong());
    assertEquals(trackId, detail.get("event").get("trackId").asLong());
    List<String> kinds = new ArrayList<>();
    detail.get("timeline").forEach(t -> kinds.add(t.get("event").asText()));
    assertEquals("started", kinds.get(0));
    assertEquals("ended", kinds.get(kinds.size() - 1));
    assertEquals("lost", detail.get("timeline").get(kinds.size() - 1).get("reason").asText());

    // Filters: a window that excludes its start, a duration it does not reach.
    assertEquals(0, json("/api/events?camera=obj-cam&class=car&from=" + BASE.plusSeconds(1)).get("items").size());
    assertEquals(1, json("/api/events?camera=obj-cam&class=car&minDuration=5").get("items").size());
    assertEquals(0, json("/api/events?camera=obj-cam&class=car&minDuration=PT6S").get("items").size());
    assertEquals(0, json("/api/events?camera=obj-cam&zone=gate").get("items").size());
    HttpResponse<String> frame = get("/api/events/" + car.get("id").asLong() + "/frame");
    assertEquals(404, frame.statusCode(), "no stored best frame: " + frame.body());
  }

  @Test
  void pagesFollowTheCursorNewestFirst() throws Exception {
    // Three short-lived people far apart in time: each its own object.
    List<String> frames = new ArrayList<>();
    long seq = 100;
    for (int k = 0; k < 3; k++) {
      for (int s = 0; s < 3; s++) frames.add(item("page-cam", 100 + k * 200 + s, "bicycle", 400, seq++));
    }
    assertEquals(200, ingest(frames).statusCode());
    awaitJson("/api/events?camera=page-cam&class=bicycle", page -> page.get("items").size() == 3);
    JsonNode first = json("/api/events?camera=page-cam&class=bicycle&limit=2");
    assertEquals(2, first.get("items").size());
    assertFalse(first.get("nextCursor").isNull());
    JsonNode second = json("/api/events?camera=page-cam&class=bicycle&limit=2&cursor=" + first.get("nextCursor").asText());
    assertEquals(1, second.get("items").size());
    assertTrue(second.get("nextCursor").isNull());
    Instant a = Instant.parse(first.get("items").get(0).get("startedAt").asText());
    Instant b = Instant.parse(first.get("items").get(1).get("startedAt").asText());
    Instant c = Instant.parse(second.get("items").get(0).get("startedAt").asText());
    assertTrue(a.isAfter(b) && b.isAfter(c), "newest first");
  }

  @ParameterizedTest(name = "{0} -> 400 on {1}")
  @CsvSource({
    "cursor=nonsense, cursor",
    "from=yesterday, from",
    "to=2026-13-01T00:00:00Z, to",
    "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z, to",
    "limit=0, limit",
    "limit=501, limit",
    "limit=ten, limit",
    "minDuration=-5, minDuration",
    "minDuration=soon, minDuration",
    "camera=Not A Camera, camera",
    "zone=no zone!, zone",
    "plate=a b, plate",
    "plate=--, plate",
    "colour=white, colour",
  })
  void badQueriesAre400WithTheField(String query, String field) throws Exception {
    HttpResponse<String> response = get("/api/events?" + encoded(query));
    assertEquals(400, response.statusCode(), response.body());
    JsonNode body = MAPPER.readTree(response.body());
    assertEquals(field, body.get("field").asText());
    assertFalse(body.get("error").asText().isBlank());
  }

  /** A 300 x 200 box at (x, y) on zone-cam's 1920 x 1080 picture: its bottom centre is (x + 150, y + 200). */
  private static String zoneItem(int second, double x, double y, long frameSequence) {
    return """
        {"cameraId": "zone-cam", "timestamp": "%s", "class": "car", "confidence": 0.9, "bbox": [%s, %s, %s, %s],
         "frameWidth": 1920, "frameHeight": 1080, "frameSequence": %d}"""
        .formatted(BASE.plusSeconds(second), x, y, x + 300, y + 200, frameSequence);
  }

  @Test
  void aCarCrossingALineIntoAZoneIsCountedAndFoundByItsZone() throws Exception {
    JsonNode camera = cameras.get("zone-cam");
    assertEquals("lot", camera.get("zones").get(0).get("name").asText());
    assertEquals(600, camera.get("zones").get(0).get("loiterAfter").asInt());
    assertEquals("car", camera.get("lines").get(0).get("classes").get(0).asText());

    // Bottom centre y = 400 + 30 s on a 1080-high picture: past 540 (the line, the zone's top) at s = 5.
    List<String> frames = new ArrayList<>();
    for (int s = 0; s < 8; s++) frames.add(zoneItem(s, 800, 200 + 30 * s, 1000 + s));
    assertEquals(200, ingest(frames).statusCode());

    Instant hour = BASE.plusSeconds(5).truncatedTo(ChronoUnit.HOURS);
    String range = "&from=" + BASE.minus(Duration.ofHours(1)) + "&to=" + BASE.plus(Duration.ofHours(2));
    JsonNode counts = awaitJson("/api/counts?camera=zone-cam" + range, c -> c.get("lines").size() == 1);
    assertEquals("zone-cam", counts.get("camera").asText());
    assertEquals("hour", counts.get("bucket").asText());
    JsonNode gate = counts.get("lines").get(0);
    assertEquals("gate", gate.get("line").asText());
    assertEquals(1, gate.get("in").asLong());
    assertEquals(0, gate.get("out").asLong());
    assertEquals(1, gate.get("total").asLong());
    assertEquals("car", gate.get("classes").get(0).get("class").asText());
    assertEquals(1, gate.get("buckets").size());
    assertEquals(hour.toString(), gate.get("buckets").get(0).get("start").asText());
    assertEquals(1, gate.get("buckets").get(0).get("in").asLong());
    JsonNode days = json("/api/counts?camera=zone-cam&line=gate&bucket=day" + range);
    assertEquals(hour.truncatedTo(ChronoUnit.DAYS).toString(), days.get("lines").get(0).get("buckets").get(0).get("start").asText());
    assertEquals(0, json("/api/counts?camera=zone-cam&line=other" + range).get("lines").size());

    JsonNode inLot = awaitJson("/api/events?camera=zone-cam&zone=lot", page -> page.get("items").size() == 1);
    assertEquals(List.of("lot"), List.of(inLot.get("items").get(0).get("zones").get(0).asText()));
    JsonNode detail = json("/api/events/" + inLot.get("items").get(0).get("id").asLong());
    List<String> kinds = new ArrayList<>();
    detail.get("timeline").forEach(t -> kinds.add(t.get("event").asText()));
    assertTrue(kinds.contains("crossed"), "the crossing is on the object's timeline: " + kinds);
  }

  @Test
  void aCameraWithABadZoneIsRefusedNamingTheField() throws Exception {
    HttpResponse<String> response = cameras.request("POST", "/api/cameras", """
        {"id": "bad-zone-cam", "name": "Bad", "sourceUrl": "http://127.0.0.1:9/s.jpg", "sourceKind": "snapshot",
         "zones": [{"name": "lot", "polygon": [[0, 0], [1, 1]]}]}""");
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("zones[0].polygon", MAPPER.readTree(response.body()).get("field").asText());
  }

  @ParameterizedTest(name = "{0} -> 400 on {1}")
  @CsvSource({
    "line=x/y, line",
    "bucket=week, bucket",
    "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z, to",
    "from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z, from",
    "from=soon, from",
    "colour=white, colour",
  })
  void badCountQueriesAre400WithTheField(String query, String field) throws Exception {
    HttpResponse<String> response = get("/api/counts?camera=zone-cam&" + encoded(query));
    assertEquals(400, response.statusCode(), response.body());
    assertEquals(field, MAPPER.readTree(response.body()).get("field").asText());
    HttpResponse<String> noCamera = get("/api/counts?line=gate");
    assertEquals(400, noCamera.statusCode());
    assertEquals("camera", MAPPER.readTree(noCamera.body()).get("field").asText());
  }

  @Test
  void anUnknownOrMalformedEventIdIsAnErrorBody() throws Exception {
    HttpResponse<String> missing = get("/api/events/987654321");
    assertEquals(404, missing.statusCode());
    assertTrue(MAPPER.readTree(missing.body()).get("error").asText().contains("not found"));
    HttpResponse<String> bad = get("/api/events/abc");
    assertEquals(400, bad.statusCode());
    assertEquals("id", MAPPER.readTree(bad.body()).get("field").asText());
    assertEquals(400, get("/api/events/1/frame?boxes=maybe").statusCode());
  }

  /** {@code a=b&c=d} with each value URL-encoded. */
  private static String encoded(String query) {
    List<String> pairs = new ArrayList<>();
    for (String p : query.split("&")) {
      int eq = p.indexOf('=');
      pairs.add(p.substring(0, eq) + "=" + URLEncoder.encode(p.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return String.join("&", pairs);
  }

  private static HttpResponse<String> ingest(List<String> items) {
    return send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/ingest/detections"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"detections\": [" + String.join(",", items) + "]}")).build());
  }

  private static HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).build());
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(String path) {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
    try {
      return MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode awaitJson(String path, Predicate<JsonNode> done) {
    return await(() -> {
      JsonNode j = json(path);
      return done.test(j) ? j : null;
    }, path);
  }

  private static <T> T await(java.util.function.Supplier<T> probe, String what) {
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
