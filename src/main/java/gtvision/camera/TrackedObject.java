package gtvision.camera;

import gtvision.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An object of the camera that started and has not ended, as its events left it: what the entity
 * compares each new sighting with to decide whether an update is worth an event.
 *
 * @param trackId the tracker's id, unique per camera
 * @param className its class as last announced
 * @param startedAt capture time of its first detection
 * @param best its best frame as last announced
 * @param still whether it was last announced as not moving
 * @param presence its zones and latest anchor point (null in snapshots written before zones: none)
 * @param plates the vote over the plate reads of its frames so far (its choice is the announced plate)
 * @param alerted the watch-list entries it raised an alert for (once per object per entry)
 */
public record TrackedObject(long trackId, String className, Instant startedAt, ObjectFrame best, boolean still,
    ZonePresence presence, PlateVote plates, List<String> alerted)
    implements CborSerializable {

  public TrackedObject {
    // Snapshots written before zones, or before plates per object, lack them.
    if (presence == null) presence = ZonePresence.NONE;
    if (plates == null) plates = PlateVote.EMPTY;
    alerted = alerted == null ? List.of() : List.copyOf(alerted);
  }

  /** An object in no zone, without plate reads or alerts yet. */
  public TrackedObject(long trackId, String className, Instant startedAt, ObjectFrame best, boolean still) {
    this(trackId, className, startedAt, best, still, ZonePresence.NONE, PlateVote.EMPTY, List.of());
  }

  TrackedObject withPresence(ZonePresence newPresence) {
    return new TrackedObject(trackId, className, startedAt, best, still, newPresence, plates, alerted);
  }

  TrackedObject withPlates(PlateVote newPlates) {
    return new TrackedObject(trackId, className, startedAt, best, still, presence, newPlates, alerted);
  }

  TrackedObject withAlert(String entryId) {
    List<String> next = new ArrayList<>(alerted);
    next.add(entryId);
    return new TrackedObject(trackId, className, startedAt, best, still, presence, plates, next);
  }
}
