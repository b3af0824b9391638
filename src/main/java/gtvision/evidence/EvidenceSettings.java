package gtvision.evidence;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code gtv.evidence} (evidence.conf): where evidence frames go and how long they (and the recordings
 * beside them) are kept.
 */
public record EvidenceSettings(
    StoreKind store,
    Path dir,
    String framesPrefix,
    String recordingsPrefix,
    int framesDays,
    int recordingsDays,
    Duration sweepInterval,
    Duration timeout,
    S3 s3) {

  public enum StoreKind { FILESYSTEM, S3 }

  public record S3(String endpoint, String bucket, String region, boolean pathStyle, String accessKeyId,
      String secretAccessKey) {
    @Override
    public String toString() {
      // Never print the secret.
      return "S3[" + (endpoint.isEmpty() ? "aws" : endpoint) + " bucket=" + bucket + " region=" + region + "]";
    }
  }

  public static EvidenceSettings from(Config root) {
    Config e = root.getConfig("gtv.evidence");
    Config s3 = e.getConfig("s3");
    String dir = e.getString("dir").strip();
    Path evidenceDir = dir.isEmpty() ? Path.of(root.getString("gtv.data-dir"), "evidence") : Path.of(dir);
    String kind = e.getString("store").strip().toLowerCase(Locale.ROOT);
    StoreKind store = switch (kind) {
      case "filesystem", "fs", "file" -> StoreKind.FILESYSTEM;
      case "s3" -> StoreKind.S3;
      default -> throw new IllegalArgumentException(
          "gtv.evidence.store (GTV_EVIDENCE_STORE) must be filesystem or s3, not '" + kind + "'");
    };
    return new EvidenceSettings(
        store,
        evidenceDir.toAbsolutePath(),
        prefix(e.getString("frames-prefix")),
        prefix(e.getString("recordings-prefix")),
        positive(e.getInt("frames-days"), "frames-days"),
        positive(e.getInt("recordings-days"), "recordings-days"),
        e.getDuration("sweep-interval"),
        e.getDuration("timeout"),
        new S3(s3.getString("endpoint").strip(), s3.getString("bucket"), s3.getString("region"),
            s3.getBoolean("path-style"), s3.getString("access-key-id"), s3.getString("secret-access-key")));
  }

  /** A key prefix ends with one slash (or is empty: the bucket's root). */
  static String prefix(String value) {
    String p = value.strip();
    while (p.startsWith("/")) p = p.substring(1);
    if (p.isEmpty()) return "";
    return p.endsWith("/") ? p : p + "/";
  }

  private static int positive(int value, String name) {
    if (value <= 0) throw new IllegalArgumentException("gtv.evidence." + name + " must be positive, not " + value);
    return value;
  }
}
