package gtvision.camera.stream;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code gtv.camera.stream}: timeouts, backoff, limits and the motion gate. */
public record StreamSettings(
    Duration connectTimeout,
    Duration readTimeout,
    Duration backoffMin,
    Duration backoffMax,
    double backoffJitter,
    Duration statsInterval,
    Duration statsPersistInterval,
    long snapshotMaxBytes,
    Duration failureLogInterval,
    MotionGate.Settings motion) {

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
        c.getDuration("failure-log-interval"),
        new MotionGate.Settings(
            m.getInt("threshold"), m.getDouble("min-area"), m.getDuration("force-every"), m.getDouble("learning-rate"),
            m.getInt("width")));
  }

  /** Exponential backoff with jitter: attempt 0 waits backoffMin, doubling up to backoffMax. */
  public Duration backoff(int attempt, double random) {
    double base = backoffMin.toMillis() * Math.pow(2, Math.min(attempt, 30));
    double capped = Math.min(base, backoffMax.toMillis());
    return Duration.ofMillis((long) (capped * (1 + backoffJitter * random)));
  }
}
