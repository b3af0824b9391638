package gtvision.tracking;

import gtvision.CborSerializable;
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
 *
 * <p>Part of the camera entity's state and snapshots (Jackson CBOR: records, {@code Optional} through
 * the JDK 8 module Pekko registers, {@link KalmanState}'s arrays as they are), so it is a
 * {@link CborSerializable}.
 */
public record TrackerState(long nextId, Optional<Instant> lastCapturedAt, List<TrackState> tracks)
    implements CborSerializable {

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

  /** Without the track {@code id} (an object the camera ended itself, e.g. after a silence). */
  public TrackerState without(long id) {
    return new TrackerState(nextId, lastCapturedAt, tracks.stream().filter(t -> t.id() != id).toList());
  }

  /** A fresh tracker that goes on numbering after this one (a camera registered again). */
  public TrackerState restarted() {
    return new TrackerState(nextId, Optional.empty(), List.of());
  }
}
