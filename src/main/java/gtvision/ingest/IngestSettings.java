package gtvision.ingest;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code gtv.ingest} (ingest.conf): limits of {@code POST /api/ingest/detections}. */
public record IngestSettings(int maxItems, long maxBodyBytes, Duration maxClockSkew,
    Duration timeout, String provider, Duration removalGrace, Duration writeReleaseAfter) {

  public static IngestSettings from(Config root) {
    Config i = root.getConfig("gtv.ingest");
    return new IngestSettings(
        positive(i.getInt("max-items"), "max-items"),
        i.getBytes("max-body"),
        i.getDuration("max-clock-skew"),
        i.getDuration("timeout"),
        i.getString("provider"),
        i.getDuration("removal-grace"),
        i.getDuration("write-release-after"));
  }

  private static int positive(int value, String name) {
    if (value <= 0) throw new IllegalArgumentException("gtv.ingest." + name + " must be positive, not " + value);
    return value;
  }
}
