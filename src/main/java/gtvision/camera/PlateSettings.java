package gtvision.camera;

import com.typesafe.config.Config;

/**
 * How a camera reads plates per object ({@code gtv.plates}, alerts.conf).
 *
 * @param maxCandidates distinct plate texts an object's vote keeps (bounds the camera's state; a plate
 *     read on most frames always stays in)
 * @param maxAlertsPerObject watch-list entries one object can raise an alert for; a plate matching more
 *     (overlapping wildcard entries) alerts for the first ones in the list's order
 */
public record PlateSettings(int maxCandidates, int maxAlertsPerObject) {

  public static final PlateSettings DEFAULTS = new PlateSettings(8, 16);

  public PlateSettings {
    if (maxCandidates < 1 || maxCandidates > 64) {
      throw new IllegalArgumentException("gtv.plates.max-candidates must be in 1..64, not " + maxCandidates);
    }
    if (maxAlertsPerObject < 1 || maxAlertsPerObject > 256) {
      throw new IllegalArgumentException("gtv.plates.max-alerts-per-object must be in 1..256, not " + maxAlertsPerObject);
    }
  }

  public static PlateSettings from(Config root) {
    return new PlateSettings(root.getInt("gtv.plates.max-candidates"), root.getInt("gtv.plates.max-alerts-per-object"));
  }
}
