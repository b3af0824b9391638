package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.metrics.Metrics;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import io.micrometer.core.instrument.DistributionSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes on one database, Artery on loopback between them: node A serves the API without
 * inference workers (GTV_GPU_PLACEMENT=none), node B has role gpu and the YOLOX model. Frames posted
 * to A cross to B over TCP with Artery's size checks; B answering the same frame itself is the
 * local reference. Node B reads plates (node A loads no models).
 */
class CrossNodeInferenceTest {
  private static final long ORDINARY_FRAME = 256 * 1024;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  @TempDir static Path dataDir;
  private static TestNodes.Node api;
  private static TestNodes.Node gpu;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Config db = TestDatabases.preferPostgres("wire", dataDir);
    // Generous timeouts: the CI machine's two cores are shared; what is tested is where frames go.
    Config common = ConfigFactory.parseString(String.join("\n",
        "gtv.inference.fallback-timeout = 30s",
        "gtv.http.detect-timeout = 60s",
        "gtv.inference.plates.enabled = false",
        "gtv.inference.gpu.model-path = \"" + MediaTools.sharedDir().resolve("models/yolox_nano.onnx") + "\""));
    api = TestNodes.start(db, ConfigFactory.parseString("gtv.http.max-image-body = 2MiB").withFallback(common));
    gpu = TestNodes.start(db, ConfigFactory.parseString(String.join("\n",
        "gtv.cluster.seed-nodes = \"pekko://gtvision@127.0.0.1:" + api.clusterPort() + "\"",
        "gtv.cluster.roles = gpu",
        "gtv.inference.plates.enabled = true",
        "gtv.inference.plates.model-dir = \"" + MediaTools.sharedDir().resolve("models/ocr") + "\"",
        "gtv.inference.gpu.placement = role")).withFallback(common));
    awaitGpuUp(api);
    awaitGpuUp(gpu);
  }

  @AfterAll
  static void stop() {
    if (gpu != null) gpu.stop();
    if (api != null) api.stop();
  }

  @Test
  void aFrameOverOneMegabyteIsAnalysedOnTheGpuNodeInSourcePixels() throws Exception {
    byte[] kite = Files.readAllBytes(MediaTools.image("kite.jpg"));
    assertTrue(kite.length > 1024 * 1024, "kite.jpg is over 1 MB");
    compareRemoteWithLocal("kite.jpg", kite, 1352, 900, false);
  }

  @Test
  void aDecoded1080pVideoFrameIsAnalysedOnTheGpuNodeInSourcePixels() throws Exception {
    Path video = MediaTools.video("kite.jpg", 1920, 1080, 5, 5, 1);
    Path frame = MediaTools.mediaDir().resolve("kite-1080p-frame.jpg");
    MediaTools.ffmpeg("-i", video.toString(), "-frames:v", "1", "-q:v", "2", frame.toString());
    compareRemoteWithLocal("1080p frame", Files.readAllBytes(frame), 1920, 1080, false);
  }

  @Test
  void aPlateReadingRequestSendsTheDetectorSizedFrameAndVehicleCropsAndReadsThePlateAsLocally() throws Exception {
    byte[] image = SyntheticPlates.onCar("BRA2E19"); // 1280x960, the plate on dog.jpg's car
    // What the frame alone cost when plates crossed at full resolution (wire.max-side, 1280 px).
    FrameWire.Settings settings = FrameWire.Settings.from(api.system().settings().config());
    long fullFrame = WireFrame.of(image, settings.maxSide(), settings.jpegQuality(), settings.passThroughBytes(),
        settings.maxFrameBytes(), settings.maxPixels()).bytes().length;
    DistributionSummary wire = wireBytes();
    long framesBefore = wire.count();
    double bytesBefore = wire.totalAmount();
    Map<String, String> plates = Map.of("detectPlates", "true");
    HttpResponse<String> remote = post(api, "/api/detect/frame", "image", List.of(image), plates);
    assertEquals(200, remote.statusCode(), remote.body());
    assertEquals(framesBefore + 1, wire.count(), "one frame (with its crops) crossed the wire");
    long sent = (long) (wire.totalAmount() - bytesBefore);
    HttpResponse<String> local = post(gpu, "/api/detect/frame", "image", List.of(image), plates);
    assertEquals(200, local.statusCode(), local.body());
    System.out.printf("1280x960 with a plate (%d bytes): %d bytes on the wire, %d at 1280 px (%.1f%%)%n",
        image.length, sent, fullFrame, 100.0 * sent / fullFrame);

    JsonNode r = MAPPER.readTree(remote.body());
    JsonNode l = MAPPER.readTree(local.body());
    assertEquals(1280, r.get("imageWidth").asInt());
    assertEquals(960, r.get("imageHeight").asInt());
    assertMatches(l, r, 1280, "local detection without a remote match");
    assertMatches(r, l, 1280, "remote detection without a local match");
    JsonNode remoteCar = plateOf(r);
    JsonNode localCar = plateOf(l);
    assertEquals("BRA2E19", localCar.get("plate").asText(), "local reading: " + l);
    assertEquals(localCar.get("plate").asText(), remoteCar.get("plate").asText(), "remote reading: " + r);
    assertEquals(localCar.get("plateConfidence").asDouble(), remoteCar.get("plateConfidence").asDouble(), 0.1);
    assertTrue(sent < fullFrame / 2, sent + " bytes on the wire, the frame at 1280 px is " + fullFrame);
  }

  @Test
  void aPlateReadingRequestWithoutVehiclesSendsOnlyTheDetectorSizedFrame() throws Exception {
    // Sensor noise makes JPEGs large: at 1280 px this one is over 256 KiB after re-encoding. Without
    // a vehicle to read, only the frame at the detector's side crosses.
    Path noisy = MediaTools.mediaDir().resolve("kite-1280-noisy.jpg");
    MediaTools.ffmpeg("-i", MediaTools.image("kite.jpg").toString(), "-vf", "scale=1280:-2,noise=alls=40:allf=u",
        "-q:v", "1", noisy.toString());
    byte[] image = Files.readAllBytes(noisy);
    DistributionSummary wire = wireBytes();
    long framesBefore = wire.count();
    double bytesBefore = wire.totalAmount();
    HttpResponse<String> response = post(api, "/api/detect/frame", "image", List.of(image), Map.of("detectPlates", "true"));
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(framesBefore + 1, wire.count());
    long sent = (long) (wire.totalAmount() - bytesBefore);
    System.out.printf("noisy 1280x852 with plates, no vehicle (%d bytes): %d bytes on the wire%n", image.length, sent);
    JsonNode body = MAPPER.readTree(response.body());
    assertEquals(1280, body.get("imageWidth").asInt());
    assertEquals("gpu", body.get("provider").asText());
    assertTrue(!hasClass(body, "car") && !hasClass(body, "truck"), "no vehicle expected: " + body);
    assertTrue(sent < ORDINARY_FRAME, "the frame on the wire was " + sent + " bytes, over 256 KiB");
  }

  @Test
  void vehicleCropsOverAnOrdinaryMessageCrossOnTheLargeMessageLane() throws Exception {
    byte[] image = SyntheticPlates.fourNoisyCars(new Random(11));
    FrameWire.Settings settings = FrameWire.Settings.from(api.system().settings().config());
    long frame = WireFrame.of(image, settings.detectSide(), settings.jpegQuality(), settings.passThroughBytes(),
        settings.maxFrameBytes(), settings.maxPixels()).bytes().length;
    DistributionSummary wire = wireBytes();
    long framesBefore = wire.count();
    double bytesBefore = wire.totalAmount();
    HttpResponse<String> response = post(api, "/api/detect/frame", "image", List.of(image), Map.of("detectPlates", "true"));
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(framesBefore + 1, wire.count());
    long crops = (long) (wire.totalAmount() - bytesBefore) - frame;
    JsonNode body = MAPPER.readTree(response.body());
    long cars = 0;
    for (JsonNode d : body.get("detections")) if (d.get("class").asText().equals("car")) cars++;
    System.out.printf("four noisy cars (%d bytes): frame %d + crops %d bytes on the wire, %d cars%n",
        image.length, frame, crops, cars);
    assertTrue(cars >= 4, "four cars expected: " + body);
    // Over Artery's 256 KiB for ordinary messages: only the large-message lane carries the crops.
    assertTrue(crops > ORDINARY_FRAME, "the crops were " + crops + " bytes, not over 256 KiB");
  }

  @Test
  void aBatchCrossesAsOneFramePerMessageAndAnswersInOrder() throws Exception {
    List<byte[]> images = List.of(Files.readAllBytes(MediaTools.image("kite.jpg")),
        Files.readAllBytes(MediaTools.image("giraffe.jpg")), Files.readAllBytes(MediaTools.image("dog.jpg")));
    HttpResponse<String> response = post(api, "/api/batch/detect", "images", images, Map.of());
    assertEquals(200, response.statusCode(), response.body());
    JsonNode results = MAPPER.readTree(response.body()).get("results");
    assertEquals(3, results.size());
    assertEquals(1352, results.get(0).get("imageWidth").asInt());
    assertEquals(500, results.get(1).get("imageWidth").asInt());
    assertEquals(768, results.get(2).get("imageWidth").asInt());
    assertTrue(hasClass(results.get(2), "car"), results.get(2).toString());
  }

  @Test
  void aFrameOverTheImageBodyLimitIs413() throws Exception {
    // The node answers from the declared length, before the body: the request goes out with only its first
    // bytes, so that the answer is read before the node closes a connection whose body it refused (sending
    // all of it races that close, and the client may see a reset instead of the 413).
    int declared = 3 * 1024 * 1024;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.httpPort())) {
      socket.setSoTimeout(30_000);
      String head = "POST /api/detect/frame HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + declared + "\r\n\r\n"
          + "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.jpg\"\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      byte[] start = new byte[64 * 1024];
      new Random(7).nextBytes(start);
      socket.getOutputStream().write(start);
      socket.getOutputStream().flush();
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
      assertTrue(status != null && status.startsWith("HTTP/1.1 413 "), status);
    }
  }

  private static void compareRemoteWithLocal(String what, byte[] image, int width, int height, boolean plates)
      throws Exception {
    DistributionSummary wire = wireBytes();
    long framesBefore = wire.count();
    double bytesBefore = wire.totalAmount();
    Map<String, String> fields = Map.of("detectPlates", String.valueOf(plates));
    HttpResponse<String> remote = post(api, "/api/detect/frame", "image", List.of(image), fields);
    assertEquals(200, remote.statusCode(), remote.body());
    HttpResponse<String> local = post(gpu, "/api/detect/frame", "image", List.of(image), fields);
    assertEquals(200, local.statusCode(), local.body());
    assertEquals(framesBefore + 1, wire.count(), "one frame crossed the wire");
    assertEquals(0, Metrics.get(gpu.system()).registry().get("gtv.inference.wire.bytes").summary().count(),
        "the gpu node's own requests go to its local worker as they came");
    long sent = (long) (wire.totalAmount() - bytesBefore);
    System.out.printf("%s (%dx%d, %d bytes): %d bytes on the wire (%.1f%%)%n",
        what, width, height, image.length, sent, 100.0 * sent / image.length);

    JsonNode r = MAPPER.readTree(remote.body());
    JsonNode l = MAPPER.readTree(local.body());
    assertEquals("gpu", r.get("provider").asText());
    assertEquals(width, r.get("imageWidth").asInt());
    assertEquals(height, r.get("imageHeight").asInt());
    assertTrue(r.get("detections").size() > 0, "remote found something: " + r);
    assertMatches(l, r, width, "local detection without a remote match");
    assertMatches(r, l, width, "remote detection without a local match");
  }

  /** Every clear detection in {@code from} (confidence 0.6 or more) has one of its class in {@code in} at IoU 0.8. */
  private static void assertMatches(JsonNode from, JsonNode in, int width, String message) {
    for (JsonNode d : from.get("detections")) {
      if (d.get("confidence").asDouble() < 0.6) continue;
      BoundingBox box = box(d);
      boolean found = false;
      for (JsonNode o : in.get("detections")) {
        if (!o.get("class").asText().equals(d.get("class").asText())) continue;
        if (box.iou(box(o)) >= 0.8 && Math.abs(o.get("confidence").asDouble() - d.get("confidence").asDouble()) <= 0.1) {
          found = true;
        }
      }
      assertTrue(found, message + ": " + d + " in " + in.get("detections"));
    }
  }

  /** The vehicle detection that carries a plate. */
  private static JsonNode plateOf(JsonNode result) {
    for (JsonNode d : result.get("detections")) if (d.hasNonNull("plate")) return d;
    throw new AssertionError("no plate read: " + result);
  }

  private static BoundingBox box(JsonNode d) {
    JsonNode b = d.get("bbox");
    return new BoundingBox(b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble());
  }

  private static boolean hasClass(JsonNode result, String className) {
    for (JsonNode d : result.get("detections")) if (d.get("class").asText().equals(className)) return true;
    return false;
  }

  private static DistributionSummary wireBytes() {
    return Metrics.get(api.system()).registry().get("gtv.inference.wire.bytes").summary();
  }

  private static HttpResponse<String> post(
      TestNodes.Node node, String path, String part, List<byte[]> images, Map<String, String> fields)
      throws IOException, InterruptedException {
    String boundary = "wire-test-boundary";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (var f : fields.entrySet()) {
      body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
          + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    for (int i = 0; i < images.size(); i++) {
      body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + part + "\"; filename=\"f" + i
          + ".jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      body.writeBytes(images.get(i));
      body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .timeout(Duration.ofSeconds(90))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Until the node's router sees a ready GPU worker (B's own, or B's from A across the cluster). */
  private static void awaitGpuUp(TestNodes.Node node) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      String gpuState = MAPPER.readTree(health.body()).at("/inference/providers/gpu").asText();
      if (gpuState.equals("UP")) return;
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(gpuState)) seen.add(gpuState);
      Thread.sleep(200);
    }
    throw new AssertionError("no ready GPU worker seen from " + node.baseUrl() + " (states " + seen + ")");
  }
}
