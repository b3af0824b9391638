package gtvision.camera;

import gtvision.camera.CameraEntity.DetectionsRecorded;
import gtvision.camera.CameraEntity.LineCrossed;
import gtvision.camera.CameraEntity.ObjectStarted;
import gtvision.camera.CameraEntity.ObjectUpdated;
import gtvision.camera.CameraEntity.State;
import gtvision.tracking.Geometry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The camera's zones and lines, as pure functions of its state: which zones an object is in, when that
 * is worth an update (entered, left, loitering), and which lines it crossed between two sightings.
 *
 * <p>An object's position is its box's bottom centre: where it touches the ground. Zones and lines are
 * drawn on the ground (a lane, a kerb, a doorway), and the bottom of the box is the part of a car or a
 * person that is really there; the box centre floats above the ground by half the object's height, so a
 * tall truck next to a zone would be "in" it.
 *
 * <p>Zones and lines are fractions of the picture and boxes are source pixels, so nothing is decided
 * until the camera knows its picture size (its stream's first frame, or frameWidth/frameHeight of
 * ingested detections): until then objects are in no zone and cross no line.
 */
final class ZoneTracking {
  private ZoneTracking() {}

  /** The anchor of a box [x1, y1, x2, y2]: its bottom centre, in the box's units. */
  static List<Double> anchor(List<Double> bbox) {
    return List.of((bbox.get(0) + bbox.get(2)) / 2, bbox.get(3));
  }

  /** The zones (names, in the configuration's order) an object of {@code className} with this box is in. */
  static List<String> zonesAt(State state, String className, List<Double> bbox) {
    CameraConfig config = state.config();
    FrameSize size = state.frameSize();
    if (config == null || size == null || config.zones().isEmpty()) return List.of();
    List<Double> a = anchor(bbox);
    double x = a.get(0) / size.width();
    double y = a.get(1) / size.height();
    List<String> in = new ArrayList<>();
    for (Zone zone : config.zones()) {
      if (zone.accepts(className) && Geometry.inside(x, y, zone.polygon())) in.add(zone.name());
    }
    return in;
  }

  /**
   * The update an open object's sighting makes: {@code changed} (what else changed, from the object
   * rules) with the zone news added, and the object's current zones on it. Zone news are told even for a
   * still object: a parked car loitering in a no-parking zone is the point of loitering.
   */
  static Optional<ObjectUpdated> update(ObjectSettings settings, State state, TrackedObject o, String className,
      ObjectFrame sighting, Optional<ObjectUpdated> changed, Instant now) {
    List<String> in = zonesAt(state, className, sighting.bbox());
    Map<String, Instant> before = o.presence().zones();
    TreeSet<String> reasons = new TreeSet<>();
    if (!before.keySet().containsAll(in)) reasons.add(ObjectUpdated.ZONE_ENTERED);
    if (!Set.copyOf(in).containsAll(before.keySet())) reasons.add(ObjectUpdated.ZONE_LEFT);
    List<String> loitering = new ArrayList<>();
    for (String z : in) {
      Instant entered = before.get(z);
      if (entered == null) continue;
      if (o.presence().loitering().contains(z)) {
        loitering.add(z);
      } else if (!Duration.between(entered, sighting.capturedAt()).minus(loiterAfter(settings, state, z)).isNegative()) {
        loitering.add(z);
        reasons.add(ObjectUpdated.LOITERING);
      }
    }
    if (reasons.isEmpty()) {
      return changed.map(u -> new ObjectUpdated(u.cameraId(), u.trackId(), u.reasons(), u.className(), u.best(), u.still(),
          in, u.seenAt(), u.at(), loitering));
    }
    changed.ifPresent(u -> reasons.addAll(u.reasons()));
    return Optional.of(new ObjectUpdated(state.cameraId(), o.trackId(), List.copyOf(reasons),
        changed.map(ObjectUpdated::className).orElse(o.className()), changed.map(ObjectUpdated::best).orElse(o.best()),
        changed.map(ObjectUpdated::still).orElse(o.still()), in, sighting.capturedAt(), now, loitering));
  }

  private static Duration loiterAfter(ObjectSettings settings, State state, String zoneName) {
    for (Zone zone : state.config().zones()) {
      if (zone.name().equals(zoneName) && zone.loiterAfter() != null) {
        return Duration.ofMillis(Math.round(zone.loiterAfter() * 1000));
      }
    }
    return settings.loiterAfter();
  }

  /**
   * The lines an open object crossed from its previous sighting to this one: the move between the two
   * anchors against each line's segment (a quick object that jumps over a line's end does not count).
   */
  static List<LineCrossed> crossings(State state, TrackedObject o, String className, ObjectFrame sighting, Instant now) {
    CameraConfig config = state.config();
    FrameSize size = state.frameSize();
    List<Double> previous = o.presence().point();
    if (config == null || size == null || config.lines().isEmpty() || previous.isEmpty()) return List.of();
    double px = previous.get(0) / size.width();
    double py = previous.get(1) / size.height();
    List<Double> a = anchor(sighting.bbox());
    double qx = a.get(0) / size.width();
    double qy = a.get(1) / size.height();
    List<LineCrossed> out = new ArrayList<>();
    for (CountLine line : config.lines()) {
      if (!line.accepts(className)) continue;
      int c = Geometry.crossing(px, py, qx, qy, line.from().get(0), line.from().get(1), line.to().get(0), line.to().get(1));
      if (c == 0) continue;
      out.add(new LineCrossed(state.cameraId(), o.trackId(), line.name(), c > 0 ? CountLine.IN : CountLine.OUT, className,
          sighting.capturedAt(), List.of(qx, qy), now));
    }
    return out;
  }

  // ---- applying events (the entity's event handler, live and in recovery) ----

  /** After a recorded frame: every open object seen in it is now at its box's anchor there. */
  static State moved(State state, DetectionsRecorded e) {
    Map<Long, List<Double>> seen = new HashMap<>();
    for (RecordedDetection d : e.detections()) {
      if (d.trackId() != null && d.bbox().size() == 4) seen.put(d.trackId(), d.bbox());
    }
    if (seen.isEmpty() || state.objects().isEmpty()) return state;
    List<TrackedObject> next = state.objects().stream()
        .map(o -> seen.containsKey(o.trackId()) ? o.withPresence(o.presence().at(anchor(seen.get(o.trackId())))) : o)
        .toList();
    return state.withObjects(next, state.tracker());
  }

  /** After an object started ({@code after} has it): it is in its zones since its confirming frame. */
  static State started(State after, ObjectStarted e) {
    ZonePresence presence = ZonePresence.NONE.announced(e.zones(), List.of(), e.frame().capturedAt()).at(anchor(e.box()));
    return withPresence(after, e.trackId(), presence);
  }

  /** After an object update ({@code before} and {@code after} it): its zones are those it announced. */
  static State updated(State before, State after, ObjectUpdated e) {
    ZonePresence was = before.objects().stream().filter(o -> o.trackId() == e.trackId()).findFirst()
        .map(TrackedObject::presence).orElse(ZonePresence.NONE);
    return withPresence(after, e.trackId(), was.announced(e.zones(), e.loitering(), e.seenAt()));
  }

  private static State withPresence(State state, long trackId, ZonePresence presence) {
    List<TrackedObject> next = state.objects().stream()
        .map(o -> o.trackId() == trackId ? o.withPresence(presence) : o)
        .toList();
    return state.withObjects(next, state.tracker());
  }
}
