package gtvision.objects;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** Response bodies of {@code /api/events}. */
final class ObjectJson {
  private ObjectJson() {}

  /** An object's best frame; {@code evidenceKey} null when the frame was not stored. */
  record BestFrame(long frameSequence, Instant capturedAt, double confidence, List<Double> bbox, String evidenceKey) {}

  /**
   * One tracked object. {@code endedAt} null while it is active; {@code bestFrameUrl} where the API
   * streams its best frame (null when none was stored); {@code durationMs} as of its latest event.
   */
  record EventResponse(
      long id,
      String cameraId,
      @JsonProperty("class") String className,
      long trackId,
      Instant startedAt,
      Instant lastSeen,
      Instant endedAt,
      long durationMs,
      String plate,
      List<String> zones,
      boolean still,
      BestFrame best,
      String bestFrameUrl,
      String endReason) {

    static EventResponse of(ObjectRow r) {
      return new EventResponse(r.id(), r.cameraId(), r.className(), r.trackId(), r.startedAt(), r.lastSeen(), r.endedAt(),
          r.durationMillis(), r.plate(), r.zones(), r.still(),
          new BestFrame(r.bestFrameSequence(), r.bestCapturedAt(), r.bestConfidence(), r.bestBox(), r.bestEvidenceKey()),
          r.bestEvidenceKey() == null ? null : "/api/events/" + r.id() + "/frame", r.endReason());
    }
  }

  record EventPage(List<EventResponse> items, String nextCursor) {}

  /** One object with its events, oldest first (each as its Kafka / live-feed message). */
  record EventDetail(EventResponse event, List<JsonNode> timeline) {}
}
