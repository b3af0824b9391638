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
 * @param plates the vote over the plate reads of its frames so far (its choice is the announced plate)
 * @param alerted the watch-list entries it raised an alert for (once per object per entry)
 */
public record TrackedObject(long trackId, String className, Instant startedAt, ObjectFrame best, boolean still,
    PlateVote plates, List<String> alerted)
    implements CborSerializable {

  public TrackedObject {
    // Snapshots written before plates per object have neither.
    if (plates == null) plates = PlateVote.EMPTY;
    alerted = alerted == null ? List.of() : List.copyOf(alerted);
  }

  /** An object without plate reads or alerts yet. */
  public TrackedObject(long trackId, String className, Instant startedAt, ObjectFrame best, boolean still) {
    this(trackId, className, startedAt, best, still, PlateVote.EMPTY, List.of());
  }

  TrackedObject withPlates(PlateVote newPlates) {
    return new TrackedObject(trackId, className, startedAt, best, still, newPlates, alerted);
  }

  TrackedObject withAlert(String entryId) {
    List<String> next = new ArrayList<>(alerted);
    next.add(entryId);
    return new TrackedObject(trackId, className, startedAt, best, still, plates, next);
  }
}
