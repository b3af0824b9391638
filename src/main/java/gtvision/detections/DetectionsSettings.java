package gtvision.detections;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** {@code gtv.detections} (detections.conf): read side, Kafka, evidence, bulk ingest and live feed settings. */
public record DetectionsSettings(
    int defaultLimit,
    int maxLimit,
    Optional<String> kafkaBootstrap,
    String kafkaTopic,
    Evidence evidence,
    IngestLimits ingest,
    int liveBuffer,
    Duration liveSlowConsumerTimeout) {

  public enum StoreKind { FILESYSTEM, S3 }

  /** Where evidence frames go and how long they (and the recordings beside them) are kept. */
  public record Evidence(
      StoreKind store,
      Path dir,
      String framesPrefix,
      String recordingsPrefix,
      int framesDays,
      int recordingsDays,
      Duration sweepInterval,
      Duration timeout,
      S3 s3) {}

  public record S3(String endpoint, String bucket, String region, boolean pathStyle, String accessKeyId,
      String secretAccessKey) {
    @Override
    public String toString() {
      // Never print the secret.
      return "S3[" + (endpoint.isEmpty() ? "aws" : endpoint) + " bucket=" + bucket + " region=" + region + "]";
    }
  }

  public record IngestLimits(int maxItems, long maxBodyBytes, Duration maxClockSkew, int ratePerMinute,
      int rateMaxClients, Duration timeout, String provider, Duration removalGrace) {}

  public static DetectionsSettings from(Config root) {
    Config c = root.getConfig("gtv.detections");
    Config e = c.getConfig("evidence");
    Config s3 = e.getConfig("s3");
    Config i = c.getConfig("ingest");
    String bootstrap = c.getString("kafka.bootstrap").strip();
    String dir = e.getString("dir").strip();
    Path evidenceDir = dir.isEmpty() ? Path.of(root.getString("gtv.data-dir"), "evidence") : Path.of(dir);
    String kind = e.getString("store").strip().toLowerCase(Locale.ROOT);
    StoreKind store = switch (kind) {
      case "filesystem", "fs", "file" -> StoreKind.FILESYSTEM;
      case "s3" -> StoreKind.S3;
      default -> throw new IllegalArgumentException(
          "gtv.detections.evidence.store (GTV_EVIDENCE_STORE) must be filesystem or s3, not '" + kind + "'");
    };
    return new DetectionsSettings(
        c.getInt("query.default-limit"),
        c.getInt("query.max-limit"),
        bootstrap.isEmpty() ? Optional.empty() : Optional.of(bootstrap),
        c.getString("kafka.topic"),
        new Evidence(
            store,
            evidenceDir.toAbsolutePath(),
            prefix(e.getString("frames-prefix")),
            prefix(e.getString("recordings-prefix")),
            positive(e.getInt("frames-days"), "evidence.frames-days"),
            positive(e.getInt("recordings-days"), "evidence.recordings-days"),
            e.getDuration("sweep-interval"),
            e.getDuration("timeout"),
            new S3(s3.getString("endpoint").strip(), s3.getString("bucket"), s3.getString("region"),
                s3.getBoolean("path-style"), s3.getString("access-key-id"), s3.getString("secret-access-key"))),
        new IngestLimits(
            positive(i.getInt("max-items"), "ingest.max-items"),
            i.getBytes("max-body"),
            i.getDuration("max-clock-skew"),
            positive(i.getInt("rate-per-minute"), "ingest.rate-per-minute"),
            positive(i.getInt("rate-max-clients"), "ingest.rate-max-clients"),
            i.getDuration("timeout"),
            i.getString("provider"),
            i.getDuration("removal-grace")),
        positive(c.getInt("live.buffer"), "live.buffer"),
        c.getDuration("live.slow-consumer-timeout"));
  }

  /** A key prefix ends with one slash (or is empty: the bucket's root). */
  static String prefix(String value) {
    String p = value.strip();
    while (p.startsWith("/")) p = p.substring(1);
    if (p.isEmpty()) return "";
    return p.endsWith("/") ? p : p + "/";
  }

  private static int positive(int value, String name) {
    if (value <= 0) throw new IllegalArgumentException("gtv.detections." + name + " must be positive, not " + value);
    return value;
  }
}
