package gtvision.camera;

import gtvision.CborSerializable;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where an open object is, as its events and frames left it: the zones it is in (with when it entered
 * each, for loitering), the zones it was announced loitering in during this stay, and its latest anchor
 * point (the box's bottom centre, source pixels) for line crossings. Rebuilt on replay from the object
 * events (zones) and the recorded frames (the point), so recovery gives the same answers.
 *
 * @param zones zone name to the capture time the object entered it (sorted, so snapshots are deterministic)
 * @param loitering zones it has been announced loitering in since it entered them
 * @param point its latest sighting's [x, y] bottom centre in source pixels; empty before its first
 */
public record ZonePresence(Map<String, Instant> zones, List<String> loitering, List<Double> point)
    implements CborSerializable {

  public static final ZonePresence NONE = new ZonePresence(Map.of(), List.of(), List.of());

  public ZonePresence {
    zones = zones == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(zones));
    loitering = loitering == null ? List.of() : List.copyOf(loitering);
    point = point == null ? List.of() : List.copyOf(point);
  }

  /** After an object event that tells its zones now: zones it was not in were entered at {@code at}. */
  ZonePresence announced(List<String> nowIn, List<String> nowLoitering, Instant at) {
    Map<String, Instant> next = new TreeMap<>();
    for (String z : nowIn) next.put(z, zones.getOrDefault(z, at));
    return new ZonePresence(next, nowLoitering, point);
  }

  ZonePresence at(List<Double> newPoint) {
    return new ZonePresence(zones, loitering, newPoint);
  }
}
