package gtvision.detections;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The filters of {@code GET /api/detections}, all optional, and the keyset position to continue after.
 * Results are ordered newest first ({@code ts DESC, id DESC}); the cursor is the last row's (ts, id), so
 * rows inserted while a client pages never shift the pages it has not read yet.
 */
public record DetectionQuery(
    Optional<String> cameraId,
    Optional<String> className,
    Optional<Double> minConfidence,
    Optional<Instant> from,
    Optional<Instant> to,
    Optional<String> plate,
    Optional<String> platePrefix,
    Optional<Cursor> after,
    int limit) {

  /** Position after a row: its timestamp (epoch millis) and id. */
  public record Cursor(long ts, long id) {
    public String encode() {
      return Base64.getUrlEncoder().withoutPadding().encodeToString((ts + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    /** Empty for a cursor this API did not issue. */
    public static Optional<Cursor> decode(String text) {
      try {
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
        int colon = plain.indexOf(':');
        if (colon < 1) return Optional.empty();
        return Optional.of(new Cursor(Long.parseLong(plain.substring(0, colon)), Long.parseLong(plain.substring(colon + 1))));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }

    static Cursor after(DetectionRow row) {
      return new Cursor(row.timestamp().toEpochMilli(), row.id());
    }
  }

  public static DetectionQuery all(int limit) {
    return new DetectionQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), limit);
  }
}
