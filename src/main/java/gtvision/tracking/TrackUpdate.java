package gtvision.tracking;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The answer to one frame.
 *
 * @param capturedAt the frame's capture time
 * @param rejection why the frame was not processed (it is older than the latest one); empty when it was
 * @param trackIds for each input detection, in input order, its confirmed track's id, or empty (no
 *     match, ignored for low confidence, or its track is still tentative)
 * @param started tentative tracks begun in this frame by unmatched high-confidence detections (often
 *     false positives: the entity's "object started" belongs to {@code confirmed})
 * @param confirmed tracks that became confirmed in this frame; their detections carry their id from now on
 * @param ended confirmed tracks that ended in this frame (too many misses or too long unseen)
 * @param becameStill confirmed tracks flagged still in this frame
 * @param movedAgain confirmed tracks that were still and moved in this frame
 */
public record TrackUpdate(Instant capturedAt, Optional<String> rejection, List<OptionalLong> trackIds,
    List<TrackSummary> started, List<TrackSummary> confirmed, List<TrackSummary> ended, List<TrackSummary> becameStill,
    List<TrackSummary> movedAgain) {

  public TrackUpdate {
    trackIds = List.copyOf(trackIds);
    started = List.copyOf(started);
    confirmed = List.copyOf(confirmed);
    ended = List.copyOf(ended);
    becameStill = List.copyOf(becameStill);
    movedAgain = List.copyOf(movedAgain);
  }

  static TrackUpdate rejected(Instant capturedAt, Instant latest, int detections) {
    return new TrackUpdate(capturedAt,
        Optional.of("frame captured at " + capturedAt + " is older than the latest processed frame ("
            + latest + "); frames must be fed in capture order"),
        java.util.Collections.nCopies(detections, OptionalLong.empty()),
        List.of(), List.of(), List.of(), List.of(), List.of());
  }

  public boolean accepted() {
    return rejection.isEmpty();
  }
}
