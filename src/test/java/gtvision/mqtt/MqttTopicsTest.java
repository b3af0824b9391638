package gtvision.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import gtvision.camera.CameraConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.RecordedDetection;
import gtvision.detections.DetectionMessage;
import gtvision.http.Json;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which camera event becomes which message on which topic: the one place a new message kind is added. */
class MqttTopicsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static ActorTestKit testKit;
  private static ObjectMapper mapper;
  private static MqttTopics topics;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("topics",
        NodeConfig.load(ConfigFactory.parseString("pekko.actor.provider = local")));
    mapper = Json.get(testKit.system()).mapper();
    topics = new MqttTopics("site/gtvision", mapper);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void detectionsGoToTheCamerasDetectionsTopicAsTheKafkaRecord() throws Exception {
    RecordedDetection car = new RecordedDetection("car", 0.91, List.of(10.0, 20.0, 110.0, 90.0), "AB-123", 0.8);
    var event = new CameraEntity.DetectionsRecorded("cam-17", 42, T0, "gpu", List.of(car), T0.plusMillis(250), "ev/42.jpg");

    List<MqttMessage> messages = topics.messagesFor(event, 7);

    assertEquals(1, messages.size());
    MqttMessage message = messages.get(0);
    assertEquals("site/gtvision/cam-17/detections", message.topic());
    assertFalse(message.retained(), "every detection is an event, not a state");
    assertEquals(mapper.writeValueAsString(DetectionMessage.of(event, 7L)), message.text(), "byte for byte the Kafka record");
    JsonNode json = mapper.readTree(message.payload());
    assertEquals(DetectionMessage.VERSION, json.get("version").asInt());
    assertEquals("detections", json.get("type").asText());
    assertEquals("cam-17", json.get("cameraId").asText());
    assertEquals(42, json.get("frameSequence").asLong());
    assertEquals(7, json.get("eventSequence").asLong());
    assertEquals("2026-01-01T00:00:00Z", json.get("capturedAt").asText());
    assertEquals("ev/42.jpg", json.get("evidenceKey").asText());
    JsonNode item = json.get("detections").get(0);
    assertEquals("car", item.get("class").asText());
    assertEquals("AB-123", item.get("plate").asText());
    assertEquals(4, item.get("bbox").size());
  }

  @Test
  void theCamerasStreamStateIsItsRetainedStatus() {
    CameraConfig config = null;
    assertStatus(new CameraEntity.Registered("c1", config, T0), "idle");
    assertStatus(new CameraEntity.Enabled("c1", T0), "connecting");
    assertStatus(new CameraEntity.StreamConnected("c1", "rtsp", T0), "connected");
    assertStatus(new CameraEntity.StreamLost("c1", "read timeout", T0), "lost");
    assertStatus(new CameraEntity.Disabled("c1", T0), "idle");
  }

  @Test
  void aRemovedCamerasRetainedStatusIsCleared() {
    List<MqttMessage> messages = topics.messagesFor(new CameraEntity.Removed("c1", T0), 9);
    assertEquals(1, messages.size());
    assertEquals("site/gtvision/c1/status", messages.get(0).topic());
    assertTrue(messages.get(0).retained());
    assertEquals(0, messages.get(0).payload().length, "an empty retained message deletes the broker's value");
  }

  @Test
  void eventsWithoutAMessageKindPublishNothing() {
    assertEquals(List.of(), topics.messagesFor(new CameraEntity.FirstFrame("c1", 640, 480, T0, T0), 1));
    assertEquals(List.of(), topics.messagesFor(new CameraEntity.Updated("c1", null, T0), 1));
    assertEquals(List.of(), topics.messagesFor(
        new CameraEntity.StreamStatsRecorded("c1", 10, 5, 1.0, T0, T0, 0, 0, 0.5, null), 1));
  }

  @Test
  void availabilityIsOneTopicUnderThePrefix() {
    assertEquals("site/gtvision/availability", topics.availability());
  }

  private static void assertStatus(CameraEntity.Event event, String state) {
    List<MqttMessage> messages = topics.messagesFor(event, 1);
    assertEquals(1, messages.size(), event.toString());
    assertEquals("site/gtvision/c1/status", messages.get(0).topic());
    assertTrue(messages.get(0).retained(), "status is the camera's current value: retained");
    assertEquals(state, messages.get(0).text(), event.getClass().getSimpleName());
  }
}
