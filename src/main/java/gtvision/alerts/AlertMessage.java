package gtvision.alerts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import gtvision.camera.CameraEntity;
import gtvision.camera.ObjectFrame;
import java.time.Instant;
import java.util.List;

/**
 * A watch-list alert as it leaves the node, on the Kafka topic, the live feed and MQTT ({@code
 * <prefix>/<cameraId>/alert}) beside the {@code detections} and {@code object} records (README, "Alert
 * record"). Versioned like them: {@code version} changes only when a field changes meaning or goes away.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertMessage(
    int version,
    String type,
    String alertId,
    String cameraId,
    long trackId,
    Long eventSequence,
    String plate,
    String entryId,
    String pattern,
    String label,
    @JsonProperty("class") String className,
    Instant seenAt,
    Frame frame,
    Instant recordedAt) {

  public static final int VERSION = 1;
  public static final String TYPE = "alert";

  /** The sighting the match was seen in: {@code evidenceKey} null when the frame was not stored. */
  public record Frame(long frameSequence, Instant capturedAt, double confidence, List<Double> bbox, String evidenceKey) {
    static Frame of(ObjectFrame f) {
      return new Frame(f.frameSequence(), f.capturedAt(), f.confidence(), f.bbox(), f.evidenceKey());
    }
  }

  /** {@code eventSequence}: the event's sequence number in its camera's journal (null when not known). */
  public static AlertMessage of(CameraEntity.AlertRaised a, Long eventSequence) {
    return new AlertMessage(VERSION, TYPE, a.alertId(), a.cameraId(), a.trackId(), eventSequence, a.plate(), a.entryId(),
        a.pattern(), a.label(), a.className(), a.frame().capturedAt(), Frame.of(a.frame()), a.at());
  }
}
