package gtvision.detections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import gtvision.alerts.AlertMessage;
import gtvision.camera.CameraEntity;
import gtvision.camera.ObjectFrame;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which camera event becomes which Kafka record: the alert record beside detections and objects. */
class KafkaRecordTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ObjectMapper MAPPER =
      new ObjectMapper().registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  @Test
  void anAlertIsAnAlertRecordWithItsJournalSequence() throws Exception {
    ObjectFrame frame = new ObjectFrame(42, T0, "car", 0.9, List.of(10.0, 20.0, 110.0, 90.0), "AB12CD", "ev/42.jpg");
    var alert = new CameraEntity.AlertRaised("cam-1", 3, "cam-1:3:2", "AB12CD", "2", "AB?2CD", "stolen", "car", frame,
        T0.plusSeconds(1));
    JsonNode record = MAPPER.readTree(KafkaPublisher.record(MAPPER, alert, 17));
    assertEquals("alert", record.get("type").asText());
    assertEquals(1, record.get("version").asInt());
    assertEquals(17, record.get("eventSequence").asLong());
    assertEquals("cam-1", record.get("cameraId").asText());
    assertEquals(3, record.get("trackId").asLong());
    assertEquals("2", record.get("entryId").asText());
    assertEquals("AB?2CD", record.get("pattern").asText());
    assertEquals("car", record.get("class").asText());
    assertEquals(T0.toString(), record.get("seenAt").asText());
    assertEquals(42, record.get("frame").get("frameSequence").asLong());
    assertEquals(T0.plusSeconds(1).toString(), record.get("recordedAt").asText());
    assertEquals(MAPPER.writeValueAsString(AlertMessage.of(alert, 17L)), KafkaPublisher.record(MAPPER, alert, 17));
  }

  @Test
  void objectsCarryTheirPlateAndLifecycleEventsMakeNoRecord() throws Exception {
    ObjectFrame frame = new ObjectFrame(42, T0, "car", 0.9, List.of(10.0, 20.0, 110.0, 90.0), null, null);
    var ended = new CameraEntity.ObjectEnded("cam-1", 3, "car", T0, T0.plusSeconds(5), 5000, List.of(), frame, "lost",
        T0.plusSeconds(6), "AB12CD");
    JsonNode record = MAPPER.readTree(KafkaPublisher.record(MAPPER, ended, 18));
    assertEquals("object", record.get("type").asText());
    assertEquals("AB12CD", record.get("plate").asText(), "the final plate");
    assertNull(KafkaPublisher.record(MAPPER, new CameraEntity.Enabled("cam-1", T0), 19));
  }
}
