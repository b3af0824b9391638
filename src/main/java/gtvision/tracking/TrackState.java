package gtvision.tracking;

import gtvision.inference.BoundingBox;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One track, as a value: the tracker replaces it on every frame, so a snapshot is just the list.
 *
 * @param id stable, unique per camera
 * @param classKey the class group it matches within ({@link TrackerSettings#classKey})
 * @param classVotes summed confidence per class seen (sorted, so the state is deterministic)
 * @param confirmed whether it reached {@link TrackerSettings#confirmHits()}
 * @param hits frames it was detected in
 * @param misses frames in a row it was not
 * @param firstSeen capture time of the first detection
 * @param lastSeen capture time of the latest detection
 * @param kalman its box filter, predicted to the latest processed frame
 * @param path centres summary
 * @param best best detection so far
 * @param anchor where it stood when it last moved (more than the still threshold)
 * @param anchorSize larger side of its box then, the unit of the still threshold
 * @param still whether it has stood at the anchor for {@link TrackerSettings#stillAfter()}
 */
public record TrackState(long id, String classKey, Map<String, Double> classVotes, boolean confirmed,
    int hits, int misses, Instant firstSeen, Instant lastSeen, KalmanState kalman, Path path,
    BestDetection best, PathPoint anchor, double anchorSize, boolean still) {

  public TrackState {
    // Sorted, so a serialized snapshot is the same bytes for the same state.
    classVotes = Collections.unmodifiableMap(new TreeMap<>(classVotes));
  }

  /** The class with the most summed confidence; ties go to the smaller name, so it is deterministic. */
  public String className() {
    String bestClass = null;
    double bestVotes = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, Double> e : classVotes.entrySet()) {
      if (e.getValue() > bestVotes) {
        bestClass = e.getKey();
        bestVotes = e.getValue();
      }
    }
    return bestClass;
  }

  /** The box the filter expects at the latest processed frame. */
  public BoundingBox predictedBox() {
    return KalmanBox.box(kalman);
  }

  public TrackSummary summary() {
    return new TrackSummary(id, className(), firstSeen, lastSeen, hits, path.summary(), best,
        predictedBox(), still);
  }
}
