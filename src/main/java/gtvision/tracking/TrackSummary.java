package gtvision.tracking;

import gtvision.inference.BoundingBox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the entity needs to know of a track to turn it into an event.
 *
 * @param id stable, unique per camera
 * @param className the class seen most (by summed confidence) among its detections
 * @param firstSeen capture time of its first detection
 * @param lastSeen capture time of its last detection
 * @param hits frames in which it was detected
 * @param path a few box centres from first to last sighting (at most {@link Path#MAX_POINTS} + 1)
 * @param best its best detection
 * @param lastBox the box of its last detection, as filtered
 * @param still whether it has not moved for {@link TrackerSettings#stillAfter()}
 */
public record TrackSummary(long id, String className, Instant firstSeen, Instant lastSeen, int hits,
    List<PathPoint> path, BestDetection best, BoundingBox lastBox, boolean still) {

  public TrackSummary {
    path = List.copyOf(path);
  }

  /** Time between first and last sighting. */
  public Duration dwell() {
    return Duration.between(firstSeen, lastSeen);
  }
}
