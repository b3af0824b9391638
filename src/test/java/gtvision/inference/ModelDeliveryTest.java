package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model delivery (issue 15): the model comes from a URL served by a real HTTP server in the test,
 * is checked against its sha256, cached, and loaded by a real worker on a one-node system.
 */
class ModelDeliveryTest {
  private static final String YOLOX_SHA = "4903c9058f6e2553834e9905be1ae5d67e262cb6321964dbc57a49edc6fa10da";

  @TempDir Path cache;

  /** Path -> body served; a request for a path not here is answered 404. */
  private final Map<String, byte[]> served = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  /** While closed, a response to /slow/* stops after half its body. */
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private ActorTestKit kit;

  @AfterEach
  void stop() {
    if (kit != null) kit.shutdownTestKit();
    if (server != null) server.stop(0);
  }

  private int serve(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      byte[] body = served.get(path);
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          if (path.startsWith("/slow/")) {
            out.write(body, 0, body.length / 2);
            out.flush();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            out.write(body, body.length / 2, body.length - body.length / 2);
          } else {
            out.write(body);
          }
        }
      }
      exchange.close();
    });
    server.start();
    return server.getAddress().getPort();
  }

  private int requestsFor(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  private Config config(String overrides) {
    return InferenceStartTest.config(String.join("\n",
        "gtv.inference.mode = gpu",
        "gtv.inference.classes = \"\"",
        "gtv.inference.plates.enabled = false",
        "gtv.inference.gpu.model-path = \"\"",
        "gtv.inference.model-cache-dir = \"" + cache + "\"",
        "gtv.inference.model-download-timeout = 5s",
        "gtv.inference.gpu.load-retry-min = 200ms",
        "gtv.inference.gpu.load-retry-max = 1s",
        overrides));
  }

  private Inference.Handle start(Config c) {
    kit = ActorTestKit.create(c);
    return Inference.start(kit.system(), c, new SimpleMeterRegistry());
  }

  private static String gpuDetail(Inference.Handle h) {
    return h.health().get().workers().stream()
        .filter(w -> w.provider().equals("gpu"))
        .map(w -> w.state() + ": " + w.detail())
        .findFirst()
        .orElse("no gpu worker yet");
  }

  private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting; last: " + what.get());
      Thread.sleep(50);
    }
  }

  private static boolean up(Inference.Handle h) {
    return "UP".equals(h.health().get().providers().get("gpu"));
  }

  private void detectsTheEagle(Inference.Handle h) {
    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    h.router().tell(new InferenceRouter.Detect(
        List.of(SharedData.imageBytes("eagle.jpg")), DetectOptions.DEFAULT, Optional.of("cam-1"), probe.ref()));
    var r = assertInstanceOf(InferenceRouter.Detected.class, probe.receiveMessage(Duration.ofSeconds(30)));
    assertEquals("bird", r.results().get(0).detections().get(0).className());
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.exists(dir)) return List.of();
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void downloadsChecksAndLoadsTheModelAndASecondStartUsesTheCacheWithoutFetching() throws Exception {
    served.put("/yolox_nano.onnx", Files.readAllBytes(SharedData.yolox()));
    int port = serve(0);
    Config c = config("gtv.inference.gpu.model-url = \"http://127.0.0.1:" + port + "/yolox_nano.onnx\"");

    Inference.Handle h = start(c);
    await(() -> up(h), () -> gpuDetail(h));
    detectsTheEagle(h);
    assertEquals(1, requestsFor("/yolox_nano.onnx"));
    Path cached = cache.resolve("yolox_nano.onnx");
    assertEquals(YOLOX_SHA, ModelCache.sha256(cached));
    assertEquals(List.of(cached), files(cache), "only the verified model, no partial download left");
    kit.shutdownTestKit();

    Inference.Handle again = start(c);
    await(() -> up(again), () -> gpuDetail(again));
    detectsTheEagle(again);
    assertEquals(1, requestsFor("/yolox_nano.onnx"), "the second start reads the cache");
  }

  @Test
  void healthShowsTheDownloadInProgressThenReady() throws Exception {
    served.put("/slow/yolox_nano.onnx", Files.readAllBytes(SharedData.yolox()));
    int port = serve(0);
    String url = "http://127.0.0.1:" + port + "/slow/yolox_nano.onnx";
    Inference.Handle h = start(config("gtv.inference.gpu.model-url = \"" + url + "\""));
    // Half the file has come: the worker says how far the download is.
    await(() -> gpuDetail(h).matches("LOADING: downloading " + Pattern.quote(url) + " [1-9]0% of 3573 KiB"),
        () -> gpuDetail(h));
    assertFalse(up(h));
    release.countDown();
    await(() -> up(h), () -> gpuDetail(h));
    assertTrue(gpuDetail(h).startsWith("READY"), gpuDetail(h));
  }

  @Test
  void aCorruptCopyFailsTheWorkerNamingBothChecksumsIsRetriedAndLoadsOnceTheServerHasTheRightFile()
      throws Exception {
    byte[] model = Files.readAllBytes(SharedData.yolox());
    byte[] corrupt = model.clone();
    corrupt[corrupt.length / 2] ^= 0x5a;
    Path corruptFile = Files.write(cache.resolveSibling(cache.getFileName() + "-corrupt.onnx"), corrupt);
    String corruptSha = ModelCache.sha256(corruptFile);
    Files.delete(corruptFile);
    served.put("/yolox_nano.onnx", corrupt);
    int port = serve(0);
    Inference.Handle h = start(config("gtv.inference.gpu.model-url = \"http://127.0.0.1:" + port + "/yolox_nano.onnx\""));

    await(() -> gpuDetail(h).startsWith("FAILED"), () -> gpuDetail(h));
    String detail = gpuDetail(h);
    assertTrue(detail.contains("checksum mismatch for http://127.0.0.1:" + port + "/yolox_nano.onnx"), detail);
    assertTrue(detail.contains("expected sha256 " + YOLOX_SHA), detail);
    assertTrue(detail.contains("found " + corruptSha), detail);
    assertTrue(detail.contains("gtv.inference.gpu.model-sha256"), detail);
    assertEquals(List.of(), files(cache), "a copy that fails its check is never kept");

    // The node keeps running: the router answers, without a detector, and the worker tries again.
    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    h.router().tell(new InferenceRouter.Detect(
        List.of(SharedData.imageBytes("eagle.jpg")), DetectOptions.DEFAULT, Optional.of("cam-1"), probe.ref()));
    assertFalse(probe.receiveMessage(Duration.ofSeconds(30)) instanceof InferenceRouter.Detected);
    await(() -> requestsFor("/yolox_nano.onnx") >= 2, () -> "requests: " + requestsFor("/yolox_nano.onnx"));

    served.put("/yolox_nano.onnx", model);
    await(() -> up(h), () -> gpuDetail(h));
    detectsTheEagle(h);
    assertEquals(YOLOX_SHA, ModelCache.sha256(cache.resolve("yolox_nano.onnx")));
  }

  @Test
  void withTheServerDownTheErrorNamesTheUrlAndTheWorkerLoadsOnceTheServerComesUp() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    // A signed URL's secret is masked in /health (and the log).
    String url = "http://127.0.0.1:" + port + "/yolox_nano.onnx?token=s3cret";
    Inference.Handle h = start(config("gtv.inference.gpu.model-url = \"" + url + "\""));

    await(() -> gpuDetail(h).startsWith("FAILED"), () -> gpuDetail(h));
    String detail = gpuDetail(h);
    assertTrue(detail.contains("cannot download http://127.0.0.1:" + port + "/yolox_nano.onnx?token=*** (gtv.inference.gpu.model-url)"), detail);
    assertFalse(detail.contains("s3cret"), detail);
    assertTrue(detail.contains("next attempt in"), detail);

    served.put("/yolox_nano.onnx", Files.readAllBytes(SharedData.yolox()));
    serve(port);
    await(() -> up(h), () -> gpuDetail(h));
    detectsTheEagle(h);
  }

  @Test
  void aModelPathWinsOverTheUrlAndNothingIsFetched() throws Exception {
    served.put("/yolox_nano.onnx", Files.readAllBytes(SharedData.yolox()));
    int port = serve(0);
    // config() blanks model-path; set it on top, as GTV_MODEL_PATH would.
    Config withPath = ConfigFactory.parseString("gtv.inference.gpu.model-path = \"" + SharedData.yolox() + "\"")
        .withFallback(config("gtv.inference.gpu.model-url = \"http://127.0.0.1:" + port + "/yolox_nano.onnx\""));
    Inference.Handle h = start(withPath);
    await(() -> up(h), () -> gpuDetail(h));
    detectsTheEagle(h);
    assertEquals(0, requestsFor("/yolox_nano.onnx"));
    assertEquals(List.of(), files(cache));
  }

  @Test
  void thePlateModelsComeFromTheirUrlsIntoTheCacheToo() throws Exception {
    for (String f : InferenceSettings.PLATE_FILES) served.put("/ocr/" + f, Files.readAllBytes(SharedData.ocrDir().resolve(f)));
    served.put("/yolox_nano.onnx", Files.readAllBytes(SharedData.yolox()));
    int port = serve(0);
    String base = "http://127.0.0.1:" + port;
    Config c = ConfigFactory.parseString(String.join("\n",
            "gtv.inference.plates.enabled = true",
            "gtv.inference.plates.model-dir = \"\"",
            "gtv.inference.plates.det-model-url = \"" + base + "/ocr/ch_PP-OCRv4_det_infer.onnx\"",
            "gtv.inference.plates.rec-model-url = \"" + base + "/ocr/ch_PP-OCRv4_rec_infer.onnx\"",
            "gtv.inference.plates.keys-url = \"" + base + "/ocr/ppocr_keys_v1.txt\"",
            "gtv.inference.gpu.model-url = \"" + base + "/yolox_nano.onnx\""))
        .withFallback(config(""));
    InferenceSettings s = InferenceSettings.from(c);
    assertEquals(cache.resolve("ocr"), s.plates().orElseThrow().modelDir());
    Inference.Handle h = start(c);
    await(() -> up(h), () -> gpuDetail(h));
    for (String f : InferenceSettings.PLATE_FILES) {
      assertEquals(1, requestsFor("/ocr/" + f), f);
      assertEquals(ModelCache.sha256(SharedData.ocrDir().resolve(f)), ModelCache.sha256(cache.resolve("ocr").resolve(f)));
    }
    // The worker reads plates with the downloaded models.
    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    h.router().tell(new InferenceRouter.Detect(
        List.of(SharedData.imageBytes("eagle.jpg")), DetectOptions.plates(true), Optional.of("cam-1"), probe.ref()));
    assertInstanceOf(InferenceRouter.Detected.class, probe.receiveMessage(Duration.ofSeconds(30)));
  }

  @Test
  void badDeliverySettingsAreClearStartUpErrors() {
    String noUrl = "gtv.inference.gpu.model-url = \"\"";
    var e1 = assertThrows(IllegalArgumentException.class, () -> InferenceSettings.from(config(noUrl)));
    assertTrue(e1.getMessage().contains("GTV_MODEL_PATH") && e1.getMessage().contains("GTV_MODEL_URL"), e1.getMessage());

    var e2 = assertThrows(IllegalArgumentException.class, () -> InferenceSettings.from(config(
        "gtv.inference.gpu.model-sha256 = \"abc\"")));
    assertTrue(e2.getMessage().contains("gtv.inference.gpu.model-sha256 must be 64 hex digits, not 'abc'"), e2.getMessage());

    var e3 = assertThrows(IllegalArgumentException.class, () -> InferenceSettings.from(config(
        "gtv.inference.gpu.model-url = \"ftp://example.org/yolox_nano.onnx\"")));
    assertTrue(e3.getMessage().contains("gtv.inference.gpu.model-url must be an http, https or file URL"), e3.getMessage());

    var e4 = assertThrows(IllegalArgumentException.class, () -> InferenceSettings.from(ConfigFactory.parseString(
            "gtv.inference.plates { enabled = true, model-dir = \"\", det-model-url = \"http://127.0.0.1/d.onnx\" }")
        .withFallback(config(""))));
    assertTrue(e4.getMessage().contains("must be set together"), e4.getMessage());

    // Shipped defaults: the YOLOX release URL and checksum, the cache under the data directory, and
    // plate reading off (with the reason) as there is no OCR URL to default to.
    InferenceSettings shipped = InferenceSettings.from(ConfigFactory.parseString(
            "gtv.inference.gpu.model-path = \"\"\ngtv.inference.plates.model-dir = \"\"\ngtv.data-dir = \"/var/lib/gtv\"")
        .withFallback(ConfigFactory.parseResources("inference.conf"))
        .withFallback(ConfigFactory.load())
        .resolve());
    ModelCache.Source m = shipped.gpuModel().orElseThrow();
    assertEquals("https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/yolox_nano.onnx", m.url().toString());
    assertEquals(YOLOX_SHA, m.sha256());
    assertEquals(Path.of("/var/lib/gtv/models/yolox_nano.onnx"), shipped.gpu().modelPath());
    assertTrue(shipped.plates().isEmpty());
    assertTrue(shipped.platesOff().orElseThrow().contains("GTV_OCR_MODEL_DIR"), shipped.platesOff().toString());
  }
}
