package gtvision.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.CountLine;
import gtvision.camera.ObjectFrame;
import gtvision.http.Json;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The object record's zone and line fields, as Kafka, MQTT and the live feed carry them. */
class ObjectMessageTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static ActorTestKit testKit;
  private static ObjectMapper mapper;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("object-message", NodeConfig.load(ConfigFactory.parseString("pekko.actor.provider = local")));
    mapper = Json.get(testKit.system()).mapper();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aLineCrossingIsACrossedRecordWithItsLineDirectionAndPoint() throws Exception {
    var crossed = new CameraEntity.LineCrossed("cam-1", 12, "gate", CountLine.IN, "car", T0.plusSeconds(4),
        List.of(0.5, 0.52), T0.plusSeconds(5));
    JsonNode json = mapper.readTree(mapper.writeValueAsString(ObjectMessage.of(crossed, 815L)));
    assertEquals("object", json.get("type").asText());
    assertEquals("crossed", json.get("event").asText());
    assertEquals(12, json.get("trackId").asLong());
    assertEquals(815, json.get("eventSequence").asLong());
    assertEquals("car", json.get("class").asText());
    assertEquals("gate", json.get("line").asText());
    assertEquals("in", json.get("direction").asText());
    assertEquals(T0.plusSeconds(4).toString(), json.get("seenAt").asText());
    assertEquals(0.52, json.get("point").get(1).asDouble());
    assertFalse(json.has("box") || json.has("zones") || json.has("reasons"), "fields a crossing does not have are left out");
  }

  @Test
  void anUpdateCarriesItsZonesAndTheZonesItLoitersIn() throws Exception {
    var frame = new ObjectFrame(3, T0, "car", 0.9, List.of(1.0, 2.0, 3.0, 4.0), null, null);
    var updated = new CameraEntity.ObjectUpdated("cam-1", 12, List.of(CameraEntity.ObjectUpdated.LOITERING), "car", frame,
        true, List.of("lot", "kerb"), T0.plusSeconds(40), T0.plusSeconds(41), List.of("lot"));
    JsonNode json = mapper.readTree(mapper.writeValueAsString(ObjectMessage.of(updated, null)));
    assertEquals("updated", json.get("event").asText());
    assertEquals("loitering", json.get("reasons").get(0).asText());
    assertEquals(2, json.get("zones").size());
    assertEquals("lot", json.get("loitering").get(0).asText());
    assertFalse(json.has("line"));
  }
}
