package gtvision.objects;

import java.time.Instant;
import java.util.List;

/**
 * One tracked object as the read side stores it (a row of {@code gtv_objects}). {@code endedAt} is null
 * while it is active; {@code lastSeen} and {@code durationMillis} are as of its latest event (objects
 * make no event per frame). The best frame: its number, capture time, confidence, box and evidence key
 * (null when the frame was not stored).
 */
public record ObjectRow(
    long id,
    String cameraId,
    long trackId,
    String className,
    Instant startedAt,
    Instant lastSeen,
    Instant endedAt,
    long durationMillis,
    String plate,
    List<String> zones,
    boolean still,
    long bestFrameSequence,
    Instant bestCapturedAt,
    double bestConfidence,
    List<Double> bestBox,
    String bestEvidenceKey,
    String endReason) {

  public ObjectRow {
    zones = List.copyOf(zones);
    bestBox = List.copyOf(bestBox);
  }
}
