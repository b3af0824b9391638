package gtvision.alerts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** Request and response bodies of {@code /api/watchlist} and {@code /api/alerts}. */
final class AlertJson {
  private AlertJson() {}

  /** A watch-list entry as a client writes it; {@code enabled} optional (new: true; PUT: unchanged). */
  record EntryRequest(String pattern, String label, Boolean enabled) {
    WatchListEntity.Spec toSpec() {
      return new WatchListEntity.Spec(pattern, label, enabled);
    }
  }

  record EntryList(List<WatchEntry> items) {}

  /** The frame an alert's match was seen in: {@code evidenceKey} null when it was not stored. */
  record AlertFrame(long frameSequence, double confidence, List<Double> bbox, String evidenceKey) {}

  record AlertResponse(
      long id,
      String alertId,
      String cameraId,
      long trackId,
      String plate,
      String entryId,
      String pattern,
      String label,
      @JsonProperty("class") String className,
      Instant seenAt,
      AlertFrame frame,
      Instant raisedAt) {

    static AlertResponse of(AlertRow r) {
      return new AlertResponse(r.id(), r.alertId(), r.cameraId(), r.trackId(), r.plate(), r.entryId(), r.pattern(),
          r.label(), r.className(), r.seenAt(), new AlertFrame(r.frameSequence(), r.confidence(), r.bbox(), r.evidenceKey()),
          r.raisedAt());
    }
  }

  record AlertPage(List<AlertResponse> items, String nextCursor) {}
}
