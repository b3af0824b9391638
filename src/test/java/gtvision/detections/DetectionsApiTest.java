package gtvision.detections;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.RecordedDetection;
import gtvision.camera.stream.FrameAnalyser;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.LiveFeedClient;
import gtvision.testsupport.LiveFeedTopics;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node (PostgreSQL where there is one, filesystem evidence): bulk ingest and its rejections, the
 * read side's filters and paging, the live feed, and evidence frames of a real camera stream.
 */
class DetectionsApiTest {
  private static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(2));
  private static final int RATE = 60;
  @TempDir static Path dir;
  private static TestNodes.Node node;
  private static DetectionsClient api;
  private static CameraApi cameras;
  private static TestCameraServer cameraServer;

  @BeforeAll
  static void start() throws Exception {
    cameraServer = new TestCameraServer(List.of(grayJpeg()), 2, dir);
    node = TestNodes.start(TestDatabases.preferPostgres("detections_api", dir), ConfigFactory.parseString(String.join("\n",
        "gtv.data-dir = \"" + dir.toString().replace("\\", "/") + "\"",
        // The ingest limit is under test: on, per client address, from the X-Forwarded-For of a proxy we trust.
        "gtv.http.rate-limits.enabled = on",
        "gtv.http.rate-limits.ingest = " + RATE,
        "gtv.http.rate-limits.api = 1000000",
        "gtv.http.rate-limits.admin = 1000000",
        // DetectionsClient sends "client, 10.0.0.1": the client as one of our proxies (10.0.0.1) saw it.
        "gtv.http.trusted-proxies = \"127.0.0.1, 10.0.0.0/8\"",
        "gtv.ingest.max-body = 256KiB",
        "gtv.camera.stream.motion.force-every = 1s")), system -> new BoxAnalyser());
    api = new DetectionsClient(node);
    cameras = new CameraApi(node);
    for (String id : List.of("ing-a", "ing-b", "bad-cam", "page-cam", "live-cam", "gone-cam", "grace-cam")) {
      cameras.register(id, "snapshot", cameraServer.url("/snapshot.jpg"), 1.0, "\"enabled\": false");
    }
    // The read side knows the cameras before ingest checks them.
    api.await("camera=ing-a", items -> cameraKnown("live-cam"), Duration.ofSeconds(30));
  }

  private static boolean cameraKnown(String id) {
    return api.get("/api/cameras?limit=500").body().contains("\"" + id + "\"");
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (cameraServer != null) cameraServer.close();
  }

  /** Finds one car in every frame of the camera "evid" and nothing elsewhere. */
  static final class BoxAnalyser implements FrameAnalyser {
    @Override
    public CompletionStage<Analysis> analyse(gtvision.camera.stream.Frame frame, gtvision.camera.CameraConfig config) {
      if (!frame.cameraId().equals("evid")) return CompletableFuture.completedFuture(Analysis.nothing("test"));
      return CompletableFuture.completedFuture(new Analysis("test",
          List.of(new RecordedDetection("car", 0.93, List.of(40.0, 30.0, 200.0, 150.0), "ABC1D23", 0.9))));
    }
  }

  static byte[] grayJpeg() {
    try (PointerScope scope = new PointerScope()) {
      Mat gray = new Mat(240, 320, opencv_core.CV_8UC3, new Scalar(128, 128, 128, 0));
      BytePointer out = new BytePointer();
      imencode(".jpg", gray, out);
      byte[] bytes = new byte[(int) out.limit()];
      out.get(bytes);
      return bytes;
    }
  }

  @Test
  void ingestedDetectionsAreSearchableByEveryFilter() {
    List<String> items = List.of(
        DetectionsClient.item("ing-a", BASE.plusSeconds(1), "car", 0.91, "ABC1D23", 1),
        DetectionsClient.item("ing-a", BASE.plusSeconds(1), "person", 0.55, null, 1),
        DetectionsClient.item("ing-a", BASE.plusSeconds(2), "car", 0.75, "ABC9Z99", 2),
        DetectionsClient.item("ing-b", BASE.plusSeconds(3), "truck", 0.99, "XYZ1234", 7),
        DetectionsClient.item("ing-b", BASE.plusSeconds(4), "car", 0.60, "abc1d23", 8));
    HttpResponse<String> response = api.ingest(DetectionsClient.body(items), "198.51.100.1");
    assertEquals(200, response.statusCode(), response.body());
    JsonNode accepted = DetectionsClient.parse(response.body());
    assertEquals(5, accepted.get("accepted").asInt());
    assertEquals(2, accepted.get("cameras").asInt());
    assertEquals(4, accepted.get("events").asInt(), "one event per camera frame");
    // Durable when answered: the entity's own counters already have them.
    assertEquals(3, cameras.get("ing-a").get("counters").get("detections").asInt());

    List<JsonNode> a = api.await("camera=ing-a", found -> found.size() == 3, Duration.ofSeconds(30));
    api.await("camera=ing-b", found -> found.size() == 2, Duration.ofSeconds(30));
    JsonNode newest = a.get(0);
    assertEquals("ing-a", newest.get("cameraId").asText());
    assertEquals(BASE.plusSeconds(2).toString(), newest.get("timestamp").asText());
    assertEquals("car", newest.get("class").asText());
    assertEquals(0.75, newest.get("confidence").asDouble());
    assertEquals(List.of(10.0, 20.0, 110.0, 220.0), doubles(newest.get("bbox")));
    assertEquals("ABC9Z99", newest.get("plate").asText());
    assertEquals("external", newest.get("provider").asText());
    assertTrue(newest.has("evidenceKey") && newest.get("evidenceKey").isNull(), "ingested detections have no frame");
    assertTrue(a.get(2).get("plate").isNull() || a.get(1).get("plate").isNull(), "a person without a plate is null");

    String window = "&from=" + BASE + "&to=" + BASE.plusSeconds(60);
    assertEquals(3, api.all("class=car" + window, 2).size());
    assertEquals(Set.of("truck"), classes(api.all("minConfidence=0.95" + window, 10)));
    assertEquals(2, api.all("plate=ABC1D23" + window, 10).size(), "plates are stored upper-case");
    assertEquals(3, api.all("platePrefix=abc" + window, 10).size());
    assertEquals(1, api.all("camera=ing-b&class=car&minConfidence=0.5" + window, 10).size());
    assertEquals(2, api.all("from=" + BASE.plusSeconds(2) + "&to=" + BASE.plusSeconds(4), 10).size(), "to is exclusive");

    JsonNode one = api.json("/api/detections/" + newest.get("id").asLong());
    assertEquals(newest, one);
    assertEquals(404, api.get("/api/detections/999999999").statusCode());
    assertEquals(404, api.get("/api/detections/" + newest.get("id").asLong() + "/frame").statusCode());
  }

  @Test
  void badQueriesNameTheParameter() {
    for (String[] bad : new String[][] {
        {"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=x", "limit"}, {"minConfidence=1.5", "minConfidence"},
        {"minConfidence=NaN", "minConfidence"}, {"from=yesterday", "from"}, {"to=2026-13-01T00:00:00Z", "to"},
        {"from=2026-11-24T10:00:00Z&to=2026-11-24T09:00:00Z", "to"}, {"cursor=bm9wZQ", "cursor"},
        {"plate=AB%20C", "plate"}, {"camera=Bad%20Id", "camera"}, {"colour=white", "colour"}}) {
      HttpResponse<String> response = api.get("/api/detections?" + bad[0]);
      assertEquals(400, response.statusCode(), bad[0] + " -> " + response.body());
      assertEquals(bad[1], DetectionsClient.parse(response.body()).get("field").asText(), bad[0]);
    }
    assertEquals(400, api.get("/api/detections/abc").statusCode());
  }

  @Test
  void everyBadIngestPayloadIsRejectedAndWritesNothing() {
    String good = DetectionsClient.item("bad-cam", BASE, "car", 0.9, null, 1);
    Instant future = Instant.now().plus(Duration.ofHours(1));
    List<String[]> cases = new ArrayList<>(List.of(
        new String[] {"{\"detections\": [" + good + ",", "400", "detections"},
        new String[] {DetectionsClient.body(List.of(good, DetectionsClient.item("no-such-cam", BASE, "car", 0.9, null, 1))),
            "400", "detections[1].cameraId"},
        new String[] {DetectionsClient.body(List.of(good, good.replace("\"frameWidth\": 1920", "\"frameWidth\": 100"))),
            "400", "detections[1].bbox"},
        new String[] {DetectionsClient.body(List.of(good, DetectionsClient.item("bad-cam", BASE, "car", 1.5, null, 1))),
            "400", "detections[1].confidence"},
        new String[] {DetectionsClient.body(List.of(good, good.replace("0.9,", "\"NaN\","))), "400", "detections[1].confidence"},
        new String[] {DetectionsClient.body(List.of(good, good.replace("0.9,", "NaN,"))), "400", "detections[1]"},
        new String[] {DetectionsClient.body(List.of(good, good.replace("[10, 20,", "[10, 1e999,"))), "400", "detections[1].bbox[1]"},
        new String[] {DetectionsClient.body(List.of(good, DetectionsClient.item("bad-cam", future, "car", 0.9, null, 1))),
            "400", "detections[1].timestamp"},
        new String[] {DetectionsClient.body(List.of(good, DetectionsClient.item("bad-cam", BASE, "", 0.9, null, 1))),
            "400", "detections[1].class"},
        new String[] {DetectionsClient.body(List.of(good, good.replace("\"cameraId\"", "\"camera\""))), "400", "detections[1].camera"},
        new String[] {DetectionsClient.body(IntStream.range(0, 1001).mapToObj(i -> good).toList()), "400", "detections"},
        new String[] {"{\"detections\": []}", "400", "detections"},
        new String[] {DetectionsClient.body(List.of(good, DetectionsClient.item("bad-cam", BASE, "car", 0.9, null, Long.MAX_VALUE))),
            "400", "detections[1].frameSequence"},
        new String[] {DetectionsClient.body(List.of(good, DetectionsClient.item("bad-cam", BASE, "car", 0.9, null, -1))),
            "400", "detections[1].frameSequence"},
        new String[] {"{\"detections\": [" + good + "]" + " ".repeat(300 * 1024) + "}", "413", "body"}));
    for (String[] bad : cases) {
      HttpResponse<String> response = api.ingest(bad[0], "198.51.100.2");
      String shown = bad[0].length() > 120 ? bad[0].substring(0, 120) + "..." : bad[0];
      assertEquals(Integer.parseInt(bad[1]), response.statusCode(), shown + " -> " + response.body());
      assertEquals(bad[2], DetectionsClient.parse(response.body()).get("field").asText(), shown + " -> " + response.body());
    }
    // Every case carried a valid item for bad-cam first: none of them was written.
    assertEquals(0, cameras.get("bad-cam").get("counters").get("detections").asInt());
    assertEquals(200, api.ingest(DetectionsClient.body(List.of(good)), "198.51.100.2").statusCode());
    assertEquals(1, cameras.get("bad-cam").get("counters").get("detections").asInt());
  }

  @Test
  void aRequestValidatedWhileItsCameraExistedIsWrittenWholeEvenIfTheCameraIsRemovedMeanwhile() {
    String first = DetectionsClient.item("gone-cam", BASE, "car", 0.9, null, 1);
    assertEquals(200, api.ingest(DetectionsClient.body(List.of(first)), "198.51.100.9").statusCode());
    int before = cameras.get("grace-cam").get("counters").get("detections").asInt();
    // Removed while the ingest path still trusts its recent confirmation that the camera exists (the
    // read side lags, and confirmations are cached): the request spans two cameras, and the removed
    // one's entity still takes its part, so the request is not left half written.
    cameras.remove("gone-cam");
    HttpResponse<String> response = api.ingest(DetectionsClient.body(List.of(
        DetectionsClient.item("grace-cam", BASE.plusSeconds(9), "car", 0.9, null, 90),
        DetectionsClient.item("gone-cam", BASE.plusSeconds(1), "bus", 0.9, null, 2))), "198.51.100.9");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(before + 1, cameras.get("grace-cam").get("counters").get("detections").asInt());
    api.await("camera=gone-cam&class=bus", items -> items.size() == 1, Duration.ofSeconds(30));
  }

  @Test
  void rateLimitAnswers429WithRetryAfterPerClient() {
    int refused = 0;
    HttpResponse<String> last = null;
    // RATE + 20: the bucket refills RATE per minute, so a slow machine's requests earn back a few tokens.
    for (int i = 0; i < RATE + 20; i++) {
      last = api.ingest("{\"detections\": []}", "203.0.113.77");
      if (last.statusCode() == 429) {
        refused++;
        long retryAfter = Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
      } else {
        assertEquals(400, last.statusCode(), last.body());
      }
    }
    assertTrue(refused >= 5, "refused " + refused);
    assertTrue(last.body().contains("ingest requests per minute"), last.body());
    // Another client is not affected.
    assertEquals(400, api.ingest("{\"detections\": []}", "203.0.113.78").statusCode());
  }

  @Test
  void pagesStayStableWhileRowsAreInserted() throws Exception {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 120; i++) items.add(DetectionsClient.item("page-cam", BASE.plusSeconds(100 + i / 2), "car", 0.8, null, i));
    assertEquals(200, api.ingest(DetectionsClient.body(items), "198.51.100.3").statusCode());
    List<JsonNode> original = api.await("camera=page-cam", found -> found.size() == 120, Duration.ofSeconds(30));
    Set<Long> originalIds = ids(original);

    List<JsonNode> paged = new ArrayList<>();
    JsonNode page = api.json("/api/detections?camera=page-cam&limit=25");
    page.get("items").forEach(paged::add);
    int batch = 0;
    while (!page.get("nextCursor").isNull()) {
      // Between pages, rows newer than everything and older than everything arrive.
      List<String> more = List.of(
          DetectionsClient.item("page-cam", BASE.plusSeconds(1000 + batch), "car", 0.8, null, 1000 + batch),
          DetectionsClient.item("page-cam", BASE.minusSeconds(1000 + batch), "car", 0.8, null, 2000 + batch));
      assertEquals(200, api.ingest(DetectionsClient.body(more), "198.51.100.3").statusCode());
      batch++;
      // The next page is read only once the new rows are on the read side, where they could disturb it.
      int expected = 120 + 2 * batch;
      api.await("camera=page-cam", found -> found.size() == expected, Duration.ofSeconds(30));
      page = api.json("/api/detections?camera=page-cam&limit=25&cursor=" + page.get("nextCursor").asText());
      page.get("items").forEach(paged::add);
    }
    List<Long> pagedIds = paged.stream().map(n -> n.get("id").asLong()).toList();
    assertEquals(pagedIds.size(), new HashSet<>(pagedIds).size(), "no row twice");
    assertTrue(ids(paged).containsAll(originalIds), "no original row skipped");
    for (JsonNode n : paged) {
      assertFalse(Instant.parse(n.get("timestamp").asText()).isAfter(BASE.plusSeconds(999)),
          "a row newer than the first page never shows up on a later one");
    }
    for (int i = 1; i < paged.size(); i++) {
      Instant previous = Instant.parse(paged.get(i - 1).get("timestamp").asText());
      Instant current = Instant.parse(paged.get(i).get("timestamp").asText());
      assertFalse(current.isAfter(previous), "newest first");
    }
  }

  @Test
  void liveFeedStreamsPersistedDetections() throws Exception {
    LiveFeedClient client = LiveFeedClient.reading(URI.create("ws://127.0.0.1:" + node.httpPort() + "/api/live?camera=live-cam"));
    // Detections persisted before the connection's subscriber joined the topic are not sent to it.
    LiveFeedTopics.await(node.system(), stats -> stats.localSubscriberCount() >= 1, "the live client subscribed");
    assertEquals(200, api.ingest(DetectionsClient.body(List.of(
        DetectionsClient.item("ing-b", BASE.plusSeconds(5), "car", 0.9, null, 50),
        DetectionsClient.item("live-cam", BASE.plusSeconds(5), "bus", 0.88, "LIV3E55", 51))), "198.51.100.4").statusCode());
    String message = client.next(10);
    assertTrue(message != null, "a live message arrives");
    JsonNode json = DetectionsClient.parse(message);
    assertEquals(1, json.get("version").asInt());
    assertEquals("live-cam", json.get("cameraId").asText(), "only the camera asked for");
    assertEquals("bus", json.get("detections").get(0).get("class").asText());
    assertEquals("LIV3E55", json.get("detections").get(0).get("plate").asText());
    client.close();
  }

  @Test
  void evidenceFramesAreStoredAndStreamedBackWithAndWithoutBoxes() throws Exception {
    cameras.register("evid", "snapshot", cameraServer.url("/snapshot.jpg"), 2.0);
    List<JsonNode> found = api.await("camera=evid", items -> !items.isEmpty(), Duration.ofSeconds(30));
    cameras.post("/api/cameras/evid/disable");
    JsonNode detection = found.get(found.size() - 1);
    String key = detection.get("evidenceKey").asText();
    assertTrue(key.matches("frames/evid/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d+\\.jpg"), key);
    assertEquals("/api/detections/" + detection.get("id").asLong() + "/frame", detection.get("frameUrl").asText());
    Path file = dir.resolve("evidence").resolve(key);
    assertTrue(Files.exists(file), "stored under GTV_DATA_DIR/evidence: " + file);

    HttpResponse<byte[]> plain = api.bytes(detection.get("frameUrl").asText());
    assertEquals(200, plain.statusCode());
    assertEquals("image/jpeg", plain.headers().firstValue("Content-Type").orElseThrow());
    assertArrayEquals(Files.readAllBytes(file), plain.body());

    HttpResponse<byte[]> boxed = api.bytes(detection.get("frameUrl").asText() + "?boxes=true");
    assertEquals(200, boxed.statusCode());
    assertNotEquals(plain.body().length, 0);
    assertTrue(isRed(boxed.body(), 120, 30), "the box's top edge is drawn in red");
    assertFalse(isRed(plain.body(), 120, 30), "the stored frame itself is untouched");
    assertEquals(400, api.get(detection.get("frameUrl").asText() + "?boxes=maybe").statusCode());
  }

  private static boolean isRed(byte[] jpeg, int x, int y) {
    try (PointerScope scope = new PointerScope()) {
      Mat image = imdecode(new Mat(new BytePointer(jpeg)), IMREAD_COLOR);
      var pixel = image.ptr(y, x);
      int b = pixel.get(0) & 0xFF;
      int g = pixel.get(1) & 0xFF;
      int r = pixel.get(2) & 0xFF;
      return r > 180 && g < 90 && b < 90;
    }
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asDouble()));
    return values;
  }

  private static Set<String> classes(List<JsonNode> items) {
    Set<String> out = new HashSet<>();
    items.forEach(n -> out.add(n.get("class").asText()));
    return out;
  }

  private static Set<Long> ids(List<JsonNode> items) {
    Set<Long> out = new HashSet<>();
    items.forEach(n -> out.add(n.get("id").asLong()));
    return out;
  }
}
