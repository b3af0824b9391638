package gtvision.detections;

import java.time.Instant;
import java.util.List;

/**
 * One detected object as the read side stores it (a row of {@code detections}); {@code trackId} null when
 * the detection belongs to no tracked object.
 */
public record DetectionRow(
    long id,
    String cameraId,
    long frameSequence,
    Instant timestamp,
    String className,
    double confidence,
    List<Double> bbox,
    String plate,
    Double plateConfidence,
    String provider,
    String evidenceKey,
    Instant recordedAt,
    Long trackId) {

  public DetectionRow {
    bbox = List.copyOf(bbox);
  }
}
