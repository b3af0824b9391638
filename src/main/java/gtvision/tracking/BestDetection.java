package gtvision.tracking;

import java.time.Instant;

/**
 * A track's best sighting so far: the detection with the highest confidence x box area (a large,
 * sure view makes the best evidence frame and plate read), and the capture time of its frame.
 */
public record BestDetection(Instant capturedAt, TrackInput detection) {

  double score() {
    return score(detection);
  }

  static double score(TrackInput d) {
    return d.confidence() * d.box().area();
  }
}
