package gtvision.camera;

import gtvision.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * One sighting of a tracked object that is worth showing: the frame it was seen in and its detection
 * there. {@code evidenceKey} names the frame's JPEG in the evidence store (null when none was stored,
 * as for ingested detections).
 */
public record ObjectFrame(long frameSequence, Instant capturedAt, String className, double confidence,
    List<Double> bbox, String plate, String evidenceKey) implements CborSerializable {

  public ObjectFrame {
    bbox = List.copyOf(bbox);
  }

  static ObjectFrame of(long frameSequence, Instant capturedAt, RecordedDetection d, String evidenceKey) {
    return new ObjectFrame(frameSequence, capturedAt, d.className(), d.confidence(), d.bbox(), d.plate(), evidenceKey);
  }

  /**
   * How good a picture of the object this is: confidence x box area, as the tracker ranks its best
   * detection (a large, sure view makes the best evidence frame and plate read).
   */
  double score() {
    double w = Math.max(0, bbox.get(2) - bbox.get(0));
    double h = Math.max(0, bbox.get(3) - bbox.get(1));
    return confidence * w * h;
  }
}
