package gtvision.evidence;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.Done;

/** Where evidence frames (JPEG) live: the local filesystem (embedded default) or an S3 bucket. */
public interface EvidenceStore {
  DateTimeFormatter HOUR_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
  /** What keys this node writes look like; anything else is refused on read. */
  Pattern KEY = Pattern.compile("[A-Za-z0-9_./-]{1,512}");

  CompletionStage<Done> put(String key, byte[] jpeg);

  /** The stored bytes, or empty when the key is not there (expired or never stored). */
  CompletionStage<Optional<byte[]>> get(String key);

  /**
   * {@code <framesPrefix><cameraId>/yyyy/MM/dd/HH/<sequence>.jpg} (UTC hour of capture). The sequence alone
   * keeps keys unique: a camera numbers its frames on across reconnects, restarts and moves to another
   * node, after the highest number it recorded.
   */
  static String frameKey(String framesPrefix, String cameraId, long sequence, Instant capturedAt) {
    return framesPrefix + cameraId + "/" + HOUR_PATH.format(capturedAt) + "/" + sequence + ".jpg";
  }

  static boolean validKey(String key) {
    return key != null && KEY.matcher(key).matches() && !key.contains("..") && !key.startsWith("/");
  }
}
