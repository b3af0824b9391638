package gtvision.detections;

import com.fasterxml.jackson.annotation.JsonProperty;
import gtvision.camera.CameraEntity;
import gtvision.camera.RecordedDetection;
import java.time.Instant;
import java.util.List;

/**
 * One detection event as it leaves the node, on the Kafka topic and on the live feed (README,
 * "Detections out"). {@code version} changes only when a field changes meaning or goes away; new
 * fields may appear within a version, so consumers ignore fields they do not know.
 */
public record DetectionMessage(
    int version,
    String type,
    String cameraId,
    long frameSequence,
    Long eventSequence,
    Instant capturedAt,
    Instant recordedAt,
    String provider,
    String evidenceKey,
    List<Item> detections) {

  public static final int VERSION = 1;
  public static final String TYPE = "detections";

  /** {@code trackId}: the camera's tracked object the detection belongs to (null: none yet). */
  public record Item(@JsonProperty("class") String className, double confidence, List<Double> bbox, String plate,
      Double plateConfidence, Long trackId) {}

  /** {@code eventSequence}: the event's sequence number in its camera's journal (null when not known). */
  public static DetectionMessage of(CameraEntity.DetectionsRecorded e, Long eventSequence) {
    List<Item> items = e.detections().stream()
        .map((RecordedDetection d) -> new Item(d.className(), d.confidence(), d.bbox(), d.plate(), d.plateConfidence(), d.trackId()))
        .toList();
    return new DetectionMessage(VERSION, TYPE, e.cameraId(), e.frameSequence(), eventSequence, e.capturedAt(), e.at(),
        e.provider(), e.evidenceKey(), items);
  }
}
