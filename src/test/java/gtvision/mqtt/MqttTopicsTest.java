package gtvision.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import gtvision.alerts.AlertMessage;
import gtvision.camera.CameraConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.ObjectFrame;
import gtvision.camera.RecordedDetection;
import gtvision.detections.DetectionMessage;
import gtvision.objects.ObjectMessage;
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
  void trackedObjectsGoToTheCamerasObjectTopicAsTheKafkaRecord() throws Exception {
    ObjectFrame frame = new ObjectFrame(42, T0, "car", 0.9, List.of(10.0, 20.0, 110.0, 90.0), null, "ev/42.jpg");
    var started = new CameraEntity.ObjectStarted("cam-17", 3, "car", List.of(10.0, 20.0, 110.0, 90.0), T0, frame, List.of(),
        T0.plusMillis(100));

    List<MqttMessage> messages = topics.messagesFor(started, 8);

    assertEquals(1, messages.size());
    MqttMessage message = messages.get(0);
    assertEquals("site/gtvision/cam-17/object", message.topic());
    assertFalse(message.retained());
    assertEquals(mapper.writeValueAsString(ObjectMessage.of(started, 8L)), message.text(), "byte for byte the Kafka record");
    JsonNode json = mapper.readTree(message.payload());
    assertEquals("object", json.get("type").asText());
    assertEquals("started", json.get("event").asText());
    assertEquals(3, json.get("trackId").asLong());
    assertEquals("car", json.get("class").asText());
  }

  @Test
  void anAlertGoesToTheCamerasAlertTopicAsTheKafkaRecord() throws Exception {
    ObjectFrame frame = new ObjectFrame(42, T0, "car", 0.9, List.of(10.0, 20.0, 110.0, 90.0), "AB-12CD", "ev/42.jpg");
    var alert = new CameraEntity.AlertRaised("cam-17", 3, "cam-17:3:5", "AB12CD", "5", "AB*", "fleet", "car", frame,
        T0.plusMillis(100));

    List<MqttMessage> messages = topics.messagesFor(alert, 9);

    assertEquals(1, messages.size());
    MqttMessage message = messages.get(0);
    assertEquals("site/gtvision/cam-17/alert", message.topic());
    assertFalse(message.retained(), "an alert is news, not a state");
    assertEquals(mapper.writeValueAsString(AlertMessage.of(alert, 9L)), message.text(), "byte for byte the Kafka record");
    JsonNode json = mapper.readTree(message.payload());
    assertEquals(AlertMessage.VERSION, json.get("version").asInt());
    assertEquals("alert", json.get("type").asText());
    assertEquals("cam-17:3:5", json.get("alertId").asText());
    assertEquals(9, json.get("eventSequence").asLong());
    assertEquals("AB12CD", json.get("plate").asText());
    assertEquals("fleet", json.get("label").asText());
    assertEquals("ev/42.jpg", json.get("frame").get("evidenceKey").asText());
  }

  @Test
  void anObjectRecordCarriesItsChosenPlate() throws Exception {
    ObjectFrame frame = new ObjectFrame(42, T0, "car", 0.9, List.of(10.0, 20.0, 110.0, 90.0), "A8-12CD", null);
    var updated = new CameraEntity.ObjectUpdated("cam-17", 3, List.of(CameraEntity.ObjectUpdated.PLATE), "car", frame, false,
        List.of(), T0, T0, List.of(), "AB12CD");
    JsonNode json = mapper.readTree(topics.messagesFor(updated, 8).get(0).payload());
    assertEquals("AB12CD", json.get("plate").asText());
    assertEquals("plate", json.get("reasons").get(0).asText());
    var noPlate = new CameraEntity.ObjectStarted("cam-17", 4, "car", List.of(10.0, 20.0, 110.0, 90.0), T0, frame, List.of(), T0);
    assertFalse(mapper.readTree(topics.messagesFor(noPlate, 9).get(0).payload()).has("plate"), "left out while none was chosen");
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
