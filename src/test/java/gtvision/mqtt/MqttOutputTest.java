package gtvision.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.MqttProbe;
import gtvision.testsupport.NodeProcess;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestMosquitto;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole nodes with MQTT on, against real Mosquitto: what Home Assistant sees (detections at QoS 1, retained
 * camera status and node availability, the Last Will after a crash), a broker that goes away mid-stream and
 * comes back (nothing lost, the cameras never wait), and a broker URL that cannot work (the node runs on).
 */
class MqttOutputTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir static Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private static Config mqtt(String url, String prefix, String... more) {
    List<String> lines = new ArrayList<>(List.of(
        "gtv.mqtt.url = \"" + url + "\"",
        "gtv.mqtt.topic-prefix = \"" + prefix + "\"",
        "gtv.mqtt.reconnect-backoff-min = 200ms",
        "gtv.mqtt.reconnect-backoff-max = 1s",
        "gtv.mqtt.publish-timeout = 3s",
        "pekko.projection.restart-backoff.min-backoff = 200ms",
        "pekko.projection.restart-backoff.max-backoff = 1s"));
    lines.addAll(List.of(more));
    return ConfigFactory.parseString(String.join("\n", lines));
  }

  private static String prefix() {
    return "gtvtest-" + UUID.randomUUID();
  }

  @Test
  void detectionsCameraStatusAndAvailabilityReachMosquittoAsHomeAssistantSeesThem() throws Exception {
    String url = TestMosquitto.requireShared();
    String prefix = prefix();
    TestNodes.Node node = TestNodes.start(TestDatabases.preferPostgres("mqtt_output", dir),
        mqtt(url, prefix, "gtv.data-dir = \"" + dir.resolve("ha").toString().replace("\\", "/") + "\""));
    try (MqttProbe probe = MqttProbe.subscribe(url, prefix + "/#")) {
      MqttProbe.Received online = MqttProbe.awaitRetained(url, prefix + "/availability", "online", WAIT);
      assertTrue(online.retained());

      register(node, "mq-1");
      probe.await(has(prefix + "/mq-1/status", "idle"), WAIT, "status idle of a registered camera");
      Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5));
      assertEquals(200, ingest(node, "mq-1", base, 1, 20).statusCode());

      List<MqttProbe.Received> got = probe.await(messages -> detections(messages, prefix, "mq-1").size() >= 20, WAIT,
          "20 detections messages");
      List<JsonNode> detections = detections(got, prefix, "mq-1");
      assertEquals(Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L),
          detections.stream().map(j -> j.get("frameSequence").asLong()).collect(Collectors.toSet()));
      for (MqttProbe.Received message : got) {
        if (message.topic().endsWith("/detections")) assertEquals(1, message.qos(), "QoS 1 as published");
      }
      JsonNode first = detections.get(0);
      assertEquals(1, first.get("version").asInt(), "versioned like the Kafka record");
      assertEquals("detections", first.get("type").asText());
      assertEquals("mq-1", first.get("cameraId").asText());
      assertTrue(first.get("eventSequence").asLong() > 0);
      assertEquals("car", first.get("detections").get(0).get("class").asText());
      assertEquals("external", first.get("provider").asText(), "bulk-ingested detections");

      MqttProbe.Received status = MqttProbe.retained(url, prefix + "/mq-1/status", Duration.ofSeconds(5)).orElseThrow();
      assertEquals("idle", status.text());
      JsonNode health = health(node).get("mqtt");
      assertEquals("connected", health.get("state").asText(), health.toString());
      assertEquals(url, health.get("url").asText());
    } finally {
      node.stop();
    }
    // Coordinated shutdown said goodbye; the broker keeps it for whoever asks.
    MqttProbe.awaitRetained(url, prefix + "/availability", "offline", WAIT);
  }

  @Test
  void aKilledNodeLeavesOfflineAsItsLastWill() throws Exception {
    String url = TestMosquitto.requireShared();
    String prefix = prefix();
    NodeProcess node = NodeProcess.start(TestDatabases.preferPostgres("mqtt_will", dir),
        mqtt(url, prefix, "gtv.data-dir = \"" + dir.resolve("will").toString().replace("\\", "/") + "\""), null);
    try {
      MqttProbe.awaitRetained(url, prefix + "/availability", "online", WAIT);
      node.kill();
      // No shutdown ran: "offline" can only be the broker publishing the Last Will.
      MqttProbe.awaitRetained(url, prefix + "/availability", "offline", WAIT);
    } finally {
      node.close();
    }
  }

  @Test
  void aBrokerOutageMidStreamLosesNothingAndTheCamerasNeverWait() throws Exception {
    String prefix = prefix();
    try (TestMosquitto broker = TestMosquitto.start(dir)) {
      // A subscriber with a session: the broker keeps its subscription and queue across its own restart.
      MqttProbe probe = MqttProbe.subscribe(broker.url(), prefix + "/+/detections", "ha-" + UUID.randomUUID(), false);
      TestNodes.Node node = TestNodes.start(TestDatabases.preferPostgres("mqtt_outage", dir),
          mqtt(broker.url(), prefix, "gtv.data-dir = \"" + dir.resolve("outage").toString().replace("\\", "/") + "\""));
      AtomicBoolean running = new AtomicBoolean(true);
      Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicLong failedBatches = new AtomicLong();
      Thread producer = null;
      try {
        register(node, "out-1");
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
        producer = new Thread(() -> {
          long next = 1;
          while (running.get()) {
            try {
              if (ingest(node, "out-1", base, next, 5).statusCode() == 200) {
                for (long s = next; s < next + 5; s++) acknowledged.add(s);
              } else {
                failedBatches.incrementAndGet();
              }
            } catch (RuntimeException e) {
              failedBatches.incrementAndGet();
            }
            next += 5;
            pause(50);
          }
        }, "mqtt-outage-producer");
        producer.start();
        probe.await(messages -> messages.size() >= 50, WAIT, "50 messages before the outage");

        broker.stop();
        awaitHealth(node, mqtt -> mqtt.get("state").asText().equals("disconnected") && mqtt.has("lastError"), WAIT);
        int atOutage = acknowledged.size();
        // The cameras and the read side go on while the broker is away.
        awaitAcknowledged(acknowledged, atOutage + 100, WAIT);
        long newest = acknowledged.stream().mapToLong(Long::longValue).max().orElseThrow();
        awaitSearchable(node, "out-1", newest, WAIT);

        broker.restart();
        awaitHealth(node, mqtt -> mqtt.get("state").asText().equals("connected"), WAIT);
        int atReturn = acknowledged.size();
        awaitAcknowledged(acknowledged, atReturn + 50, WAIT);
        running.set(false);
        producer.join(30_000);

        Set<Long> expected = Set.copyOf(acknowledged);
        List<MqttProbe.Received> got = probe.await(messages -> frames(messages).keySet().containsAll(expected), WAIT,
            "every acknowledged detection (" + expected.size() + ")");
        Map<Long, Integer> frames = frames(got);
        long duplicates = frames.values().stream().filter(n -> n > 1).count();
        System.out.printf("MQTT outage test: %d acknowledged (%d during the outage), %d distinct on MQTT, %d duplicated,"
            + " %d ingest batches refused%n", expected.size(), atReturn - atOutage, frames.size(), duplicates,
            failedBatches.get());
        assertEquals(0, failedBatches.get(), "ingest never refused or stalled because of MQTT");
        assertTrue(atReturn - atOutage >= 100, "written while the broker was away");
      } finally {
        running.set(false);
        if (producer != null) producer.join(30_000);
        node.stop();
        probe.close();
      }
    }
  }

  @Test
  void aBrokerUrlThatCannotWorkIsShownInHealthAndTheNodeRunsOn() throws Exception {
    TestNodes.Node node = TestNodes.start(TestDatabases.preferPostgres("mqtt_wrong", dir),
        mqtt("http://127.0.0.1:1883", prefix(), "gtv.data-dir = \"" + dir.resolve("wrong").toString().replace("\\", "/") + "\"",
            "gtv.mqtt.user = ha", "gtv.mqtt.password = \"s3cret-mqtt-pw\""));
    try {
      JsonNode mqtt = health(node).get("mqtt");
      assertTrue(!health(node).toString().contains("s3cret-mqtt-pw"), "the password is never shown");
      assertEquals("failed", mqtt.get("state").asText(), mqtt.toString());
      assertTrue(mqtt.get("error").asText().contains("GTV_MQTT_URL"), mqtt.toString());
      assertTrue(mqtt.get("error").asText().contains("tcp://host:1883"), mqtt.toString());
      register(node, "wrong-1");
      HttpResponse<String> ingested = ingest(node, "wrong-1", Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60), 1, 3);
      assertEquals(200, ingested.statusCode(), ingested.body());
      awaitSearchable(node, "wrong-1", 3, WAIT);
    } finally {
      node.stop();
    }
  }

  // ---- helpers ----

  /** Registers a disabled camera and waits until ingest knows it (the cameras read side has it). */
  private void register(TestNodes.Node node, String camera) throws Exception {
    new CameraApi(node).register(camera, "snapshot", "http://127.0.0.1:9/none.jpg", 1.0, "\"enabled\": false");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/cameras?limit=500")).build()).body()
        .contains("\"" + camera + "\"")) {
      if (System.nanoTime() > deadline) throw new AssertionError(camera + " not listed within " + WAIT);
      Thread.sleep(100);
    }
  }

  private HttpResponse<String> ingest(TestNodes.Node node, String camera, Instant base, long firstFrame, int count) {
    List<String> items = new ArrayList<>();
    for (long s = firstFrame; s < firstFrame + count; s++) {
      items.add("""
          {"cameraId": "%s", "timestamp": "%s", "class": "car", "confidence": 0.9, "bbox": [10, 20, 110, 220],
           "frameWidth": 1920, "frameHeight": 1080, "frameSequence": %d}""".formatted(camera, base.plusMillis(s), s));
    }
    return send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/ingest/detections"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"detections\": [" + String.join(",", items) + "]}")).build());
  }

  private JsonNode health(TestNodes.Node node) throws IOException {
    return MAPPER.readTree(send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health")).build()).body());
  }

  private void awaitHealth(TestNodes.Node node, Predicate<JsonNode> condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode mqtt = null;
    while (System.nanoTime() < deadline) {
      mqtt = health(node).get("mqtt");
      if (mqtt != null && condition.test(mqtt)) return;
      Thread.sleep(100);
    }
    throw new AssertionError("/health mqtt did not reach the expected state; last " + mqtt);
  }

  /** Polls the detections API until {@code frame} of {@code camera} is in the read side. */
  private void awaitSearchable(TestNodes.Node node, String camera, long frame, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode page = MAPPER.readTree(send(HttpRequest.newBuilder(
          URI.create(node.baseUrl() + "/api/detections?camera=" + camera + "&limit=1")).build()).body());
      JsonNode items = page.get("items");
      if (items != null && items.size() > 0 && items.get(0).get("frameSequence").asLong() >= frame) return;
      Thread.sleep(100);
    }
    throw new AssertionError("frame " + frame + " of " + camera + " not searchable within " + timeout);
  }

  private static void awaitAcknowledged(Set<Long> acknowledged, int size, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (acknowledged.size() < size) {
      if (System.nanoTime() > deadline) throw new AssertionError("only " + acknowledged.size() + " ingested within " + timeout);
      Thread.sleep(50);
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Predicate<List<MqttProbe.Received>> has(String topic, String text) {
    return messages -> messages.stream().anyMatch(m -> m.topic().equals(topic) && m.text().equals(text));
  }

  private static List<JsonNode> detections(List<MqttProbe.Received> messages, String prefix, String camera) {
    return messages.stream().filter(m -> m.topic().equals(prefix + "/" + camera + "/detections"))
        .map(m -> parse(m.text())).toList();
  }

  /** frameSequence -> how often it arrived. */
  private static Map<Long, Integer> frames(List<MqttProbe.Received> messages) {
    Map<Long, Integer> seen = new HashMap<>();
    for (MqttProbe.Received m : messages) seen.merge(parse(m.text()).get("frameSequence").asLong(), 1, Integer::sum);
    return seen;
  }

  private static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
