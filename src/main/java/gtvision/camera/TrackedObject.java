package gtvision.camera;

import gtvision.CborSerializable;
import java.time.Instant;

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
 */
public record TrackedObject(long trackId, String className, Instant startedAt, ObjectFrame best, boolean still,
    ZonePresence presence)
    implements CborSerializable {

  public TrackedObject {
    if (presence == null) presence = ZonePresence.NONE;
  }

  public TrackedObject(long trackId, String className, Instant startedAt, ObjectFrame best, boolean still) {
    this(trackId, className, startedAt, best, still, ZonePresence.NONE);
  }

  TrackedObject withPresence(ZonePresence newPresence) {
    return new TrackedObject(trackId, className, startedAt, best, still, newPresence);
  }
}
