package gtvision.camera;

import com.typesafe.config.Config;
import gtvision.tracking.TrackerSettings;

/**
 * How a camera turns its detections into objects ({@code gtv.tracking}, tracking.conf): the tracker's
 * settings and when a better frame is worth an update.
 *
 * @param tracker the per-camera tracker's settings
 * @param betterFrameGain a frame replaces an object's best one (and is announced) only when its score
 *     (confidence x box area) is at least this fraction higher: an approaching car grows every frame, and
 *     an update per frame is what objects are meant to avoid
 */
public record ObjectSettings(TrackerSettings tracker, double betterFrameGain) {

  public static final ObjectSettings DEFAULTS = new ObjectSettings(TrackerSettings.DEFAULTS, 0.25);

  public ObjectSettings {
    if (tracker == null) throw new IllegalArgumentException("tracker settings are missing");
    if (!(betterFrameGain >= 0) || Double.isInfinite(betterFrameGain)) {
      throw new IllegalArgumentException("gtv.tracking.better-frame-gain must be a finite number >= 0, not " + betterFrameGain);
    }
  }

  public static ObjectSettings from(Config root) {
    return new ObjectSettings(TrackerSettings.from(root), root.getDouble("gtv.tracking.better-frame-gain"));
  }
}
