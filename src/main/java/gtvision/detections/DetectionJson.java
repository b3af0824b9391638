package gtvision.detections;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** Response bodies of the detections API. */
final class DetectionJson {
  private DetectionJson() {}

  /**
   * One detected object. {@code evidenceKey} is the frame's key in the evidence store and
   * {@code frameUrl} where the API streams it; both null when no frame was stored. {@code trackId}: the
   * camera's tracked object it belongs to (see {@code /api/events}), null when none.
   */
  record DetectionResponse(
      long id,
      String cameraId,
      Instant timestamp,
      @JsonProperty("class") String className,
      double confidence,
      List<Double> bbox,
      String plate,
      Double plateConfidence,
      String provider,
      long frameSequence,
      String evidenceKey,
      String frameUrl,
      Instant recordedAt,
      Long trackId) {

    static DetectionResponse of(DetectionRow r) {
      return new DetectionResponse(r.id(), r.cameraId(), r.timestamp(), r.className(), r.confidence(), r.bbox(),
          r.plate(), r.plateConfidence(), r.provider(), r.frameSequence(), r.evidenceKey(),
          r.evidenceKey() == null ? null : "/api/detections/" + r.id() + "/frame", r.recordedAt(),
          r.trackId());
    }
  }

  record DetectionPage(List<DetectionResponse> items, String nextCursor) {}
}
