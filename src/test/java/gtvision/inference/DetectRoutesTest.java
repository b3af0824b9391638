package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraMetrics;
import gtvision.camera.CameraRoutes;
import gtvision.camera.Cameras;
import gtvision.camera.readside.CameraTable;
import gtvision.http.ApiRoutes;
import gtvision.http.Json;
import gtvision.metrics.Metrics;
import gtvision.persistence.Database;
import gtvision.testsupport.JUnit5RouteTest;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.http.javadsl.model.Multiparts;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The detection endpoints on a node running the real YOLOX model through the router. */
class DetectRoutesTest extends JUnit5RouteTest {
  @TempDir static Path dataDir;
  private static TestNodes.Node node;
  private static Route route;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestDatabases.h2(dataDir), ConfigFactory.parseString(String.join("\n",
        "gtv.inference.gpu.placement = any",
        "gtv.inference.gpu.model-path = \"" + shared().resolve("models/yolox_nano.onnx") + "\"",
        "gtv.inference.plates.model-dir = \"" + shared().resolve("models/ocr") + "\"",
        "gtv.http.max-image-body = 1MiB",
        // These tests are about the routes, not the fallback: a batch on a cold model on a loaded 2-core
        // machine may take longer than the 5 s default before the first answer.
        "gtv.inference.fallback-timeout = 25s")));
    var system = node.system();
    var registry = Metrics.get(system).registry();
    Cameras cameras = new Cameras(system, new CameraMetrics(registry), CameraTable.listing(Database.get(system)));
    Inference.Handle inference = Inference.start(system, system.settings().config(), registry);
    route = ApiRoutes.create(system, UnaryOperator.identity(),
        List.of(CameraRoutes.create(system, cameras).route(), DetectRoutes.create(system, inference.router()).route()),
        Map.of("inference", inference.health()));
    awaitGpuUp();
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Override
  protected ActorSystem classicSystem() {
    return Adapter.toClassic(node.system());
  }

  static Path shared() {
    String env = System.getenv("GTV_SHARED_DIR");
    return (env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.dir"), "../shared"))
        .toAbsolutePath().normalize();
  }

  private static byte[] image(String name) {
    try {
      return Files.readAllBytes(shared().resolve("testdata/images").resolve(name));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Multipart.FormData.BodyPart.Strict file(String field, byte[] bytes) {
    return Multiparts.createFormDataBodyPartStrict(field,
        HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, bytes), Map.of("filename", field + ".jpg"));
  }

  private static Multipart.FormData.BodyPart.Strict field(String name, String value) {
    return Multiparts.createFormDataBodyPartStrict(name, HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, value));
  }

  private TestRouteResult upload(String uri, Multipart.FormData.BodyPart.Strict... parts) {
    return testRoute(route).run(HttpRequest.POST(uri).withEntity(Multiparts.createStrictFormDataFromParts(parts).toEntity()));
  }

  private static JsonNode json(TestRouteResult result) {
    try {
      return Json.get(node.system()).mapper().readTree(result.entityString());
    } catch (IOException e) {
      throw new AssertionError(result.entityString(), e);
    }
  }

  private static void awaitGpuUp() {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      if (node.system() != null) {
        try {
          var response = java.net.http.HttpClient.newHttpClient().send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.baseUrl() + "/health")).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
          if (Json.get(node.system()).mapper().readTree(response.body()).at("/inference/providers/gpu").asText().equals("UP")) return;
          Thread.sleep(200);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new AssertionError("the GPU worker never came up");
  }

  @Test
  void detectFrameFindsTheDogBicycleAndCarWithTheLocalModel() {
    var result = upload("/api/detect/frame", file("image", image("dog.jpg")), field("detectPlates", "false"));
    result.assertStatusCode(StatusCodes.OK);
    JsonNode body = json(result);
    assertEquals("gpu", body.get("provider").asText());
    assertFalse(body.get("fallback").asBoolean());
    assertEquals(768, body.get("imageWidth").asInt());
    boolean car = false;
    for (JsonNode d : body.get("detections")) {
      assertEquals(4, d.get("bbox").size());
      assertTrue(d.get("confidence").asDouble() >= 0.5);
      if (d.get("class").asText().equals("car")) car = true;
    }
    assertTrue(car, "dog.jpg has a car: " + body);
    assertTrue(body.at("/timings/inferenceMs").asDouble() > 0);
  }

  @Test
  void batchDetectAnswersOneResultPerImageInOrder() {
    var result = upload("/api/batch/detect", file("images", image("eagle.jpg")), file("images", image("giraffe.jpg")));
    result.assertStatusCode(StatusCodes.OK);
    JsonNode results = json(result).get("results");
    assertEquals(2, results.size());
    assertEquals(773, results.get(0).get("imageWidth").asInt());
    assertEquals(500, results.get(1).get("imageWidth").asInt());
  }

  @Test
  void aNonImageIs400() {
    var result = upload("/api/detect/frame", file("image", "<html>not a jpeg</html>".getBytes()));
    result.assertStatusCode(StatusCodes.BAD_REQUEST);
    assertEquals("image", json(result).get("field").asText());
  }

  @Test
  void aDecompressionBombHeaderIs400() {
    // A PNG signature and IHDR claiming 100000 x 100000 pixels, and nothing behind it.
    ByteBuffer png = ByteBuffer.allocate(33);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
    png.putInt(100_000).putInt(100_000).put(new byte[] {8, 2, 0, 0, 0, 0, 0, 0, 0});
    var result = upload("/api/detect/frame", file("image", png.array()));
    result.assertStatusCode(StatusCodes.BAD_REQUEST);
    assertEquals("image", json(result).get("field").asText());
  }

  @Test
  void anUploadOverTheSizeLimitIs413() {
    var result = upload("/api/detect/frame", file("image", new byte[2 * 1024 * 1024]));
    result.assertStatusCode(StatusCodes.PAYLOAD_TOO_LARGE);
  }

  @Test
  void missingPartsUnknownFieldsAndWrongContentTypeAreClearErrors() {
    var missing = upload("/api/detect/frame", field("cameraId", "cam-1"));
    missing.assertStatusCode(StatusCodes.BAD_REQUEST);
    assertEquals("image", json(missing).get("field").asText());
    var unknown = upload("/api/detect/frame", file("image", image("dog.jpg")), field("colour", "red"));
    assertEquals("colour", json(unknown).get("field").asText());
    var plates = upload("/api/detect/frame", file("image", image("dog.jpg")), field("detectPlates", "maybe"));
    assertEquals("detectPlates", json(plates).get("field").asText());
    testRoute(route).run(HttpRequest.POST("/api/detect/frame").withEntity(ContentTypes.APPLICATION_JSON, "{}"))
        .assertStatusCode(StatusCodes.UNSUPPORTED_MEDIA_TYPE);
  }

  @Test
  void uploadsBeyondTheNodesConcurrencyAre503WithRetryAfter() throws Exception {
    // A router that takes the request and never answers holds the one upload slot.
    TestProbe<InferenceRouter.Command> silent = TestProbe.create(node.system());
    Route bounded = new DetectRoutes(node.system(), silent.ref(), 1 << 20, 1 << 20, 4, Duration.ofSeconds(20), 1).route();
    HttpRequest request = HttpRequest.POST("/api/detect/frame")
        .withEntity(Multiparts.createStrictFormDataFromParts(file("image", image("dog.jpg"))).toEntity());
    var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> testRoute(bounded).run(request));
    silent.expectMessageClass(InferenceRouter.Detect.class, Duration.ofSeconds(20));
    TestRouteResult second = testRoute(bounded).run(request);
    assertEquals(503, second.response().status().intValue(), second.entityString());
    assertTrue(second.entityString().contains("uploads at once"), second.entityString());
    assertEquals("1", second.response().getHeader("Retry-After").orElseThrow().value());
    first.cancel(true);
  }

  @Test
  void healthReportsProvidersAndBreakers() {
    JsonNode inference = json(testRoute(route).run(HttpRequest.GET("/health"))).get("inference");
    assertEquals("UP", inference.at("/providers/gpu").asText());
    assertTrue(inference.get("workers").size() >= 1);
    assertTrue(inference.get("workers").get(0).has("breaker"));
  }
}
