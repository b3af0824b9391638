package gtvision.tracking;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A camera's tracker as a value, for the entity's snapshot: restoring it and feeding the same
 * frames gives the same results as the tracker it was taken from.
 *
 * @param nextId the id the next track gets (ids are never reused, so they stay unique per camera)
 * @param lastCapturedAt capture time of the latest processed frame, if any
 * @param tracks live tracks, in the order they started
 */
public record TrackerState(long nextId, Optional<Instant> lastCapturedAt, List<TrackState> tracks) {

  public static final TrackerState EMPTY = new TrackerState(1, Optional.empty(), List.of());

  public TrackerState {
    if (nextId < 1) throw new IllegalArgumentException("tracker nextId must be at least 1, not " + nextId);
    if (lastCapturedAt == null) throw new IllegalArgumentException("lastCapturedAt must be Optional.empty(), not null");
    tracks = List.copyOf(tracks);
    for (TrackState t : tracks) {
      if (t.id() >= nextId) {
        throw new IllegalArgumentException("track id " + t.id() + " is not below nextId " + nextId);
      }
    }
  }
}
