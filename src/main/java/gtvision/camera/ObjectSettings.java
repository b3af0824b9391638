package gtvision.camera;

import com.typesafe.config.Config;
import gtvision.tracking.TrackerSettings;
import java.time.Duration;

/**
 * How a camera turns its detections into objects ({@code gtv.tracking}, tracking.conf): the tracker's
 * settings and when a better frame is worth an update.
 *
 * @param tracker the per-camera tracker's settings
 * @param betterFrameGain a frame replaces an object's best one (and is announced) only when its score
 *     (confidence x box area) is at least this fraction higher: an approaching car grows every frame, and
 *     an update per frame is what objects are meant to avoid
 * @param loiterAfter how long an object stays in a zone before it counts as loitering, for zones that do
 *     not set their own {@code loiterAfter}
 */
public record ObjectSettings(TrackerSettings tracker, double betterFrameGain, Duration loiterAfter) {

  public static final Duration DEFAULT_LOITER_AFTER = Duration.ofSeconds(30);
  public static final ObjectSettings DEFAULTS = new ObjectSettings(TrackerSettings.DEFAULTS, 0.25, DEFAULT_LOITER_AFTER);

  public ObjectSettings(TrackerSettings tracker, double betterFrameGain) {
    this(tracker, betterFrameGain, DEFAULT_LOITER_AFTER);
  }

  public ObjectSettings {
    if (tracker == null) throw new IllegalArgumentException("tracker settings are missing");
    if (!(betterFrameGain >= 0) || Double.isInfinite(betterFrameGain)) {
      throw new IllegalArgumentException("gtv.tracking.better-frame-gain must be a finite number >= 0, not " + betterFrameGain);
    }
    if (loiterAfter == null || loiterAfter.isNegative() || loiterAfter.isZero()) {
      throw new IllegalArgumentException("gtv.tracking.loiter-after must be positive, not " + loiterAfter);
    }
  }

  public ObjectSettings withLoiterAfter(Duration newLoiterAfter) {
    return new ObjectSettings(tracker, betterFrameGain, newLoiterAfter);
  }

  public static ObjectSettings from(Config root) {
    return new ObjectSettings(TrackerSettings.from(root), root.getDouble("gtv.tracking.better-frame-gain"),
        root.getDuration("gtv.tracking.loiter-after"));
  }
}
