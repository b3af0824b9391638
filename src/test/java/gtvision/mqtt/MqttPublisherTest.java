package gtvision.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity;
import gtvision.camera.RecordedDetection;
import gtvision.http.Json;
import gtvision.metrics.ProjectionLag;
import gtvision.testsupport.MqttProbe;
import gtvision.testsupport.ReadSides;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestMosquitto;
import gtvision.testsupport.TestNodes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publishing projection's real handler over a test source, against the machine's Mosquitto. */
class MqttPublisherTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  @TempDir static Path dir;
  private static ActorTestKit testKit;
  private static ProjectionTestKit projections;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    url = TestMosquitto.requireShared();
    testKit = ReadSides.start(TestDatabases.preferPostgres("mqtt_publisher", dir));
    projections = ProjectionTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    if (testKit != null) testKit.shutdownTestKit();
  }

  private static MqttSettings settings(String brokerUrl, String prefix) {
    return MqttSettings.from(ConfigFactory.parseString(String.join("\n",
        "gtv.mqtt.url = \"" + brokerUrl + "\"",
        "gtv.mqtt.topic-prefix = \"" + prefix + "\"",
        "gtv.mqtt.client-id = \"publisher-test-" + UUID.randomUUID() + "\"",
        "gtv.mqtt.reconnect-backoff-min = 200ms",
        "gtv.mqtt.reconnect-backoff-max = 1s"))
        .withFallback(testKit.system().settings().config()));
  }

  @Test
  void everyEventOfASliceIsPublishedInJournalOrderAtQos1ThroughABoundedWindow() throws Exception {
    String prefix = "gtvtest-" + UUID.randomUUID();
    MqttTopics topics = new MqttTopics(prefix, Json.get(testKit.system()).mapper());
    MqttConnection connection = MqttConnection.create(testKit.system(), settings(url, prefix), topics);
    connection.start();
    try (MqttProbe probe = MqttProbe.subscribe(url, prefix + "/pub-1/#")) {
      awaitConnected(connection);
      String camera = "pub-1";
      List<EventEnvelope<CameraEntity.Event>> envelopes = new ArrayList<>();
      envelopes.add(ReadSides.envelope(1, new CameraEntity.StreamConnected(camera, "snapshot", T0)));
      int frames = 300;
      for (int i = 1; i <= frames; i++) {
        envelopes.add(ReadSides.envelope(i + 1, new CameraEntity.DetectionsRecorded(camera, i, T0.plusSeconds(i), "gpu",
            List.of(new RecordedDetection("car", 0.9, List.of(1.0, 2.0, 3.0, 4.0), null, null)), T0.plusSeconds(i))));
      }
      envelopes.add(ReadSides.envelope(frames + 2, new CameraEntity.StreamLost(camera, "read timeout", T0.plusSeconds(999))));
      Counter published = Counter.builder("test.published").register(new SimpleMeterRegistry());
      var projection = MqttPublisher.projection(testKit.system(), ProjectionId.of(ReadSides.uniqueId("mqtt"), "test-slice"),
          ReadSides.source(envelopes), connection, topics, 4, new ProjectionLag(new SimpleMeterRegistry(), "mqtt-test"),
          published);

      projections.run(projection, Duration.ofSeconds(30), () -> {
        List<MqttProbe.Received> got = probe.received();
        assertEquals(frames + 2, got.size(), "every event that has a message kind");
        assertEquals(new MqttProbe.Received(prefix + "/pub-1/status", "connected", 1, false), got.get(0));
        for (int i = 1; i <= frames; i++) {
          MqttProbe.Received message = got.get(i);
          assertEquals(prefix + "/pub-1/detections", message.topic());
          assertEquals(1, message.qos(), "QoS 1 end to end");
          JsonNode json = Json.get(testKit.system()).mapper().readTree(message.text());
          assertEquals(i, json.get("frameSequence").asLong(), "journal order");
          assertEquals(i + 1, json.get("eventSequence").asLong());
        }
        assertEquals("lost", got.get(frames + 1).text());
        assertEquals(frames + 2, published.count(), 0.0, "counted once acknowledged");
      });
      // The camera's status stays with the broker for subscribers that come later.
      MqttProbe.Received status = MqttProbe.retained(url, prefix + "/pub-1/status", Duration.ofSeconds(5)).orElseThrow();
      assertEquals("lost", status.text());
      assertTrue(status.retained());
    } finally {
      connection.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutABrokerAPublishFailsAtOnceAndTheConnectionSaysWhy() throws Exception {
    String closed = "tcp://127.0.0.1:" + TestNodes.freePort();
    String prefix = "gtvtest-" + UUID.randomUUID();
    MqttConnection connection = MqttConnection.create(testKit.system(), settings(closed, prefix),
        new MqttTopics(prefix, Json.get(testKit.system()).mapper()));
    connection.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!connection.health().containsKey("lastError") && System.nanoTime() < deadline) Thread.sleep(50);
      Map<String, Object> health = connection.health();
      assertEquals(MqttConnection.DISCONNECTED, health.get("state"), health.toString());
      assertTrue(health.get("lastError").toString().contains("cannot connect"), health.toString());
      assertEquals(closed, health.get("url"));

      long started = System.nanoTime();
      ExecutionException failed = assertThrows(ExecutionException.class, () -> connection.publish(
          MqttMessage.retained(prefix + "/x", "y")).toCompletableFuture().get(5, TimeUnit.SECONDS));
      assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0);
      assertTrue(MqttConnection.describe(failed.getCause()).toLowerCase().contains("not connected"),
          MqttConnection.describe(failed.getCause()));
    } finally {
      connection.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitConnected(MqttConnection connection) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!connection.connected()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not connected: " + connection.health());
      Thread.sleep(50);
    }
  }
}
