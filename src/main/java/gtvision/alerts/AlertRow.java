package gtvision.alerts;

import java.time.Instant;
import java.util.List;

/** One alert as the read side stores it (a row of {@code gtv_alerts}). */
record AlertRow(
    long id,
    String alertId,
    String cameraId,
    long trackId,
    String plate,
    String entryId,
    String pattern,
    String label,
    String className,
    Instant seenAt,
    long frameSequence,
    double confidence,
    List<Double> bbox,
    String evidenceKey,
    Instant raisedAt) {

  AlertRow {
    bbox = List.copyOf(bbox);
  }
}
