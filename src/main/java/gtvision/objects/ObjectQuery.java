package gtvision.objects;

import gtvision.detections.DetectionQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The filters of {@code GET /api/events}, all optional, and the keyset position to continue after.
 * Objects are ordered newest first by start ({@code started_at DESC, id DESC}); the cursor is the last
 * row's (started_at, id), encoded as the detections API encodes its own.
 */
public record ObjectQuery(
    Optional<String> cameraId,
    Optional<String> className,
    Optional<String> zone,
    Optional<String> plate,
    Optional<Instant> from,
    Optional<Instant> to,
    Optional<Duration> minDuration,
    Optional<DetectionQuery.Cursor> after,
    int limit) {

  public ObjectQuery withLimit(int newLimit) {
    return new ObjectQuery(cameraId, className, zone, plate, from, to, minDuration, after, newLimit);
  }

  static DetectionQuery.Cursor after(ObjectRow row) {
    return new DetectionQuery.Cursor(row.startedAt().toEpochMilli(), row.id());
  }
}
