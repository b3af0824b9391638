package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/** inference.conf as shipped, Inference.start on a one-node system, the real model end to end. */
class InferenceStartTest {

  static Config config(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString(
            "gtv.inference.gpu.model-path = \"" + SharedData.yolox() + "\"\n"
                + "gtv.inference.plates.model-dir = \"" + SharedData.ocrDir() + "\"\n"
                + "pekko.actor.serialization-bindings { \"gtvision.CborSerializable\" = jackson-cbor }\n"))
        .withFallback(ConfigFactory.parseResources("inference.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  @Test
  void shippedConfigurationHasAnEnvironmentOverrideForEverySetting() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("src/main/resources/inference.conf"));
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).trim();
      if (l.startsWith("#") || !l.contains(" = ") || l.contains("${?") || l.startsWith("type") || l.startsWith("executor")
          || l.startsWith("throughput")) continue;
      String key = l.substring(0, l.indexOf(' '));
      String next = lines.get(i + 1).trim();
      assertTrue(next.startsWith(key + " = ${?GTV_"), "no GTV_ override after: " + l);
    }
    InferenceSettings s = InferenceSettings.from(config(""));
    assertEquals(InferenceRouter.Mode.HYBRID, s.router().mode());
    assertEquals(0.5, s.gpu().confidence());
    assertEquals(8, s.gpu().maxBatch());
    assertEquals(Duration.ofMillis(20), s.gpu().maxWait());
    assertEquals(Duration.ofSeconds(5), s.router().fallbackTimeout());
    assertEquals(5, s.router().breakerMaxFailures());
    assertEquals(Duration.ofSeconds(60), s.router().breakerReset());
    assertEquals(50, s.aws().maxConcurrency());
    assertEquals(3, s.aws().maxRetries());
    assertEquals(Duration.ofSeconds(2), s.router().maxFrameAge());
    assertEquals(64, s.router().maxQueuedUploads());
    assertEquals(50.0, s.aws().budgetUsdPerDay());
    assertEquals(1000.0, s.aws().budgetUsdPerMonth());
    assertThrows(IllegalArgumentException.class, () -> InferenceSettings.from(config("gtv.inference.max-frame-age = 0s")));
    assertEquals(List.of("[A-Z]{3}[0-9][A-Z][0-9]{2}", "[A-Z]{3}[0-9]{4}"), s.plates().orElseThrow().patterns().regexes());
    assertThrows(IllegalArgumentException.class, () -> InferenceSettings.from(config("gtv.inference.mode = fast")));
  }

  @Test
  void startsWorkersAndRouterAndDetectsWithTheRealModel() {
    Config c = config("gtv.inference.mode = gpu\ngtv.inference.classes = \"\"\ngtv.inference.plates.enabled = false");
    ActorTestKit kit = ActorTestKit.create(c);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      Inference.Handle h = Inference.start(kit.system(), c, registry);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"UP".equals(h.health().get().providers().get("gpu")) && System.nanoTime() < deadline) Thread.onSpinWait();
      assertEquals("UP", h.health().get().providers().get("gpu"), h.health().get().toString());

      TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
      h.router().tell(new InferenceRouter.Detect(List.of(SharedData.imageBytes("eagle.jpg")), DetectOptions.DEFAULT, Optional.of("cam-1"), probe.ref()));
      var r = assertInstanceOf(InferenceRouter.Detected.class, probe.receiveMessage(Duration.ofSeconds(20)));
      assertEquals("gpu", r.provider());
      assertEquals("bird", r.results().get(0).detections().get(0).className());

      String scrape = registry.scrape();
      assertTrue(scrape.contains("gtv_inference_seconds_bucket{provider=\"gpu\""), "latency histogram");
      assertTrue(scrape.contains("gtv_inference_batch_size_count{provider=\"gpu\"}"), "batch size");
      assertTrue(scrape.contains("gtv_inference_breaker_state{provider=\"gpu\""), "breaker gauge");

      // Messages that may cross nodes round-trip through Jackson CBOR.
      var ser = kit.serializationTestKit();
      ser.verifySerialization(r, true);
      ser.verifySerialization(h.health().get(), true);
      ser.verifySerialization(new InferenceRouter.Detect(List.of(new byte[] {1, 2}), DetectOptions.plates(true), Optional.of("c"), probe.ref()), false);
      ser.verifySerialization(new InferenceWorker.Failed(InferenceWorker.FailureKind.ERROR, "x"), true);
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void missingModelOrTextFileIsAClearStartUpError() throws Exception {
    var executor = Executors.newSingleThreadExecutor();
    try {
      var missing = YoloxOnnxDetectorTest.settings().withModelPath(Path.of("/nonexistent/model.onnx"));
      ModelLoadException e1 = assertThrows(ModelLoadException.class,
          () -> YoloxOnnxDetector.load(missing, Optional.empty(), executor, new SimpleMeterRegistry()));
      assertTrue(e1.getMessage().contains("model file not found: /nonexistent/model.onnx") && e1.getMessage().contains("GTV_MODEL_PATH"), e1.getMessage());

      Path text = Files.createTempFile("not-a-model", ".onnx");
      Files.writeString(text, "this is a text file renamed to .onnx\n");
      var bad = YoloxOnnxDetectorTest.settings().withModelPath(text);
      ModelLoadException e2 = assertThrows(ModelLoadException.class,
          () -> YoloxOnnxDetector.load(bad, Optional.empty(), executor, new SimpleMeterRegistry()));
      assertTrue(e2.getMessage().contains("is not a valid ONNX model"), e2.getMessage());
      System.out.println("text file as model: " + e2.getMessage());

      // The OCR recogniser is a valid ONNX model but not a YOLOX detector.
      var wrong = YoloxOnnxDetectorTest.settings().withModelPath(SharedData.ocrDir().resolve("ch_PP-OCRv4_rec_infer.onnx"));
      ModelLoadException e3 = assertThrows(ModelLoadException.class,
          () -> YoloxOnnxDetector.load(wrong, Optional.empty(), executor, new SimpleMeterRegistry()));
      assertTrue(e3.getMessage().contains("is not a YOLOX detector"), e3.getMessage());
      Files.delete(text);
    } finally {
      executor.shutdown();
    }
  }
}
