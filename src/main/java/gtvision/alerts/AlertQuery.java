package gtvision.alerts;

import gtvision.detections.DetectionQuery;
import java.time.Instant;
import java.util.Optional;

/**
 * The filters of {@code GET /api/alerts}, all optional, and the keyset position to continue after. Alerts
 * are ordered newest first by the capture time of the frame they were seen in ({@code seen_at DESC, id
 * DESC}); the cursor is the last row's (seen_at, id), encoded as the other search APIs encode theirs.
 */
record AlertQuery(Optional<String> cameraId, Optional<Instant> from, Optional<Instant> to,
    Optional<DetectionQuery.Cursor> after, int limit) {

  AlertQuery withLimit(int newLimit) {
    return new AlertQuery(cameraId, from, to, after, newLimit);
  }

  static DetectionQuery.Cursor after(AlertRow row) {
    return new DetectionQuery.Cursor(row.seenAt().toEpochMilli(), row.id());
  }
}
