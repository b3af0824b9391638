package gtvision.camera.stream;

import com.typesafe.config.Config;
import gtvision.camera.source.SourcePolicy;
import gtvision.camera.source.SourceProxy;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code gtv.camera.stream}: timeouts, backoff, limits and the motion gate; and the source policy, which
 * every connect checks again (DNS may have changed since the camera was registered), with the node's
 * source proxy for FFmpeg's HTTP(S) inputs where the node started one ({@link Streams#create}).
 */
public record StreamSettings(
    Duration connectTimeout,
    Duration readTimeout,
    Duration backoffMin,
    Duration backoffMax,
    double backoffJitter,
    Duration statsInterval,
    Duration statsPersistInterval,
    long snapshotMaxBytes,
    long maxFramePixels,
    Duration failureLogInterval,
    MotionGate.Settings motion,
    SourcePolicy sources,
    Optional<SourceProxy> proxy) {

  public static final String DISPATCHER = "gtv.camera.stream-dispatcher";

  public static StreamSettings from(Config root) {
    Config c = root.getConfig("gtv.camera.stream");
    Config m = c.getConfig("motion");
    return new StreamSettings(
        c.getDuration("connect-timeout"),
        c.getDuration("read-timeout"),
        c.getDuration("backoff-min"),
        c.getDuration("backoff-max"),
        c.getDouble("backoff-jitter"),
        c.getDuration("stats-interval"),
        c.getDuration("stats-persist-interval"),
        c.getBytes("snapshot-max-bytes"),
        positive(c.getLong("max-frame-pixels"), "gtv.camera.stream.max-frame-pixels"),
        c.getDuration("failure-log-interval"),
        new MotionGate.Settings(
            m.getInt("threshold"), m.getDouble("min-area"), m.getDuration("force-every"), m.getDouble("learning-rate"),
            m.getInt("width")),
        SourcePolicy.from(root),
        Optional.empty());
  }

  /** These settings with the node's source proxy, and its policy (which counts the proxy's port as the node's). */
  public StreamSettings withProxy(SourceProxy sourceProxy) {
    return new StreamSettings(connectTimeout, readTimeout, backoffMin, backoffMax, backoffJitter, statsInterval,
        statsPersistInterval, snapshotMaxBytes, maxFramePixels, failureLogInterval, motion, sourceProxy.policy(),
        Optional.of(sourceProxy));
  }

  private static long positive(long value, String key) {
    if (value <= 0) throw new IllegalArgumentException(key + " must be positive, got " + value);
    return value;
  }

  /**
   * Refuses a frame larger than {@code max-frame-pixels} before anything is copied, decoded or encoded:
   * one camera misconfigured to 8K must not cost the node memory and the detectors time.
   */
  public void checkFrameSize(int width, int height) {
    long pixels = (long) width * height;
    if (pixels > maxFramePixels) {
      throw new BadFrameException("frame of " + width + "x" + height + " (" + pixels + " pixels) is larger than the limit of "
          + maxFramePixels + " pixels (gtv.camera.stream.max-frame-pixels)");
    }
  }

  /**
   * A connected stream with no frame for this long is stalled: three sample intervals plus the read
   * timeout (a camera may be a little late, and a read may take that long before it fails).
   */
  public Duration stalledAfter(double fps) {
    return Duration.ofNanos((long) (3_000_000_000L / fps)).plus(readTimeout);
  }

  /** Exponential backoff with jitter: attempt 0 waits backoffMin, doubling up to backoffMax. */
  public Duration backoff(int attempt, double random) {
    double base = backoffMin.toMillis() * Math.pow(2, Math.min(attempt, 30));
    double capped = Math.min(base, backoffMax.toMillis());
    return Duration.ofMillis((long) (capped * (1 + backoffJitter * random)));
  }
}
