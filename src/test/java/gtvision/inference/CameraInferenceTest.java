package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import gtvision.deploy.ExportedMetrics;
import gtvision.deploy.GrafanaDashboard;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node wired as in production: a camera's frames go through the motion gate to the inference
 * router, the real YOLOX model finds objects, and the camera records them as events.
 */
class CameraInferenceTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir static Path dataDir;
  private static TestNodes.Node node;
  private static TestCameraServer camera;
  private static CameraApi api;

  @BeforeAll
  static void start() throws Exception {
    camera = new TestCameraServer(List.of(SharedData.imageBytes("dog.jpg")), 5, dataDir);
    node = TestNodes.startWithInference(TestDatabases.preferPostgres("wiring", dataDir),
        ConfigFactory.parseString(String.join("\n",
            "gtv.inference.gpu.placement = any",
            "gtv.inference.gpu.model-path = \"" + SharedData.yolox() + "\"",
            "gtv.inference.plates.model-dir = \"" + SharedData.ocrDir() + "\"",
            // The AWS worker is placed too (its meters must exist) but never reachable: GPU answers.
            "gtv.inference.aws.placement = any",
            "gtv.inference.aws.region = us-east-1",
            "gtv.inference.aws.endpoint = \"http://127.0.0.1:9\""))
            .withFallback(IngestTestConfig.fast()));
    api = new CameraApi(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (camera != null) camera.close();
  }

  private static List<String> classes(JsonNode state) {
    List<String> classes = new ArrayList<>();
    state.path("lastDetections").forEach(d -> classes.add(d.path("class").asText()));
    return classes;
  }

  @Test
  void detectionsOfACameraAreRecordedAsItsEvents() {
    api.register("wired-dog", "snapshot", camera.url("/snapshot.jpg"), 1.0);
    JsonNode state = api.await("wired-dog", WAIT, s -> s.path("counters").path("detections").asLong() > 0, "detections recorded");
    // Deployment default classes: vehicles and people; dog.jpg shows a car and a bicycle.
    assertTrue(classes(state).contains("car"), state.toString());
    assertTrue(classes(state).contains("bicycle"), state.toString());
    for (JsonNode d : state.path("lastDetections")) {
      assertEquals(4, d.path("bbox").size());
      assertTrue(d.path("confidence").asDouble() >= 0.5);
    }
    assertTrue(api.metric("gtv_inference_seconds_count", "provider=\"gpu\"") >= 1);
  }

  @Test
  void aCamerasOwnClassesOfInterestApply() {
    api.register("wired-bike", "snapshot", camera.url("/snapshot.jpg"), 1.0,
        "\"analysis\": {\"classes\": [\"bicycle\"], \"minConfidence\": 0.6, \"detectPlates\": false}");
    JsonNode state = api.await("wired-bike", WAIT, s -> s.path("counters").path("detections").asLong() > 0, "detections recorded");
    assertEquals(List.of("bicycle"), classes(state));
    assertEquals(0.6, state.at("/analysis/minConfidence").asDouble());
  }

  /** The dashboard's queries and the metric contract the alert rules are checked against. */
  @Test
  void everyMetricTheDashboardAndAlertsUseIsExported() {
    api.register("wired-metrics", "snapshot", camera.url("/snapshot.jpg"), 1.0);
    api.awaitMetric("gtv_frames_analysed_total", "camera=\"wired-metrics\"", 1, WAIT);
    String scrape = api.metrics();
    List<String> missing = new ArrayList<>();
    Set<String> used = new TreeSet<>(GrafanaDashboard.metricNames(Path.of("ops/grafana/gtvision-dashboard.json")));
    used.addAll(ExportedMetrics.NAMES);
    for (String metric : used) {
      if (!Pattern.compile("(?m)^" + Pattern.quote(metric) + "[{ ]").matcher(scrape).find()) missing.add(metric);
    }
    assertEquals(List.of(), missing, "metrics of the dashboard and alert rules missing from /metrics");
  }
}
