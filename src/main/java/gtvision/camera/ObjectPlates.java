package gtvision.camera;

import gtvision.camera.CameraEntity.AlertRaised;
import gtvision.camera.CameraEntity.DetectionsRecorded;
import gtvision.camera.CameraEntity.Event;
import gtvision.camera.CameraEntity.ObjectEnded;
import gtvision.camera.CameraEntity.ObjectStarted;
import gtvision.camera.CameraEntity.ObjectUpdated;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Plates per object, as pure functions of the camera's state, beside {@link ObjectTracking}: the command
 * handler passes a frame's events through {@link #frame} (the chosen plate on the object events, a
 * {@value ObjectUpdated#PLATE} update when the vote's choice changes, an {@link AlertRaised} per watch-list
 * hit), and the event handler applies {@link #votes}, {@link #started} and {@link #alerted}. The vote moves
 * on with every recorded frame in the event handler, as the tracker does, so recovery rebuilds it exactly
 * from the journal; which entries matched is decided once, in the command handler, and persisted.
 */
final class ObjectPlates {
  private ObjectPlates() {}

  /**
   * A frame's events (from {@link ObjectTracking#frame}, for {@code state} before the frame) with the plate
   * decisions added: every object event carries its chosen plate; an object whose choice changed in this
   * frame has {@value ObjectUpdated#PLATE} among its update's reasons (an update of its own when nothing
   * else changed); then one alert per enabled entry its plate matches that it has not yet alerted for.
   */
  static List<Event> frame(PlateSettings settings, PlateWatch watch, CameraEntity.State state, List<Event> events) {
    DetectionsRecorded recorded = events.isEmpty() || !(events.get(0) instanceof DetectionsRecorded d) ? null : d;
    if (recorded == null) return events;
    Map<Long, TrackedObject> open = new HashMap<>();
    for (TrackedObject o : state.objects()) open.put(o.trackId(), o);
    // What this frame reads for each tracked object (a track has at most one detection per frame).
    Map<Long, RecordedDetection> sightings = new LinkedHashMap<>();
    for (RecordedDetection det : recorded.detections()) {
      if (det.trackId() != null) sightings.put(det.trackId(), det);
    }
    Set<Long> updated = new HashSet<>();
    List<Event> out = new ArrayList<>(events.size() + 2);
    List<AlertRaised> alerts = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof ObjectStarted s) {
        PlateVote vote = PlateVote.EMPTY.add(sightings.get(s.trackId()), settings.maxCandidates());
        out.add(s.withPlate(vote.choice()));
        alerts.addAll(alerts(settings, watch, s.cameraId(), s.trackId(), s.className(), vote.choice(), List.of(),
            s.frame(), s.at()));
      } else if (e instanceof ObjectUpdated u && open.containsKey(u.trackId())) {
        TrackedObject o = open.get(u.trackId());
        String before = o.plates().choice();
        String after = o.plates().add(sightings.get(u.trackId()), settings.maxCandidates()).choice();
        out.add(Objects.equals(before, after) ? u.withPlate(after) : u.withPlateChange(after));
        updated.add(u.trackId());
      } else if (e instanceof ObjectEnded d && open.containsKey(d.trackId())) {
        out.add(d.withPlate(open.get(d.trackId()).plates().choice()));
      } else {
        out.add(e);
      }
    }
    for (Map.Entry<Long, RecordedDetection> sighting : sightings.entrySet()) {
      TrackedObject o = open.get(sighting.getKey());
      if (o == null) continue;
      String before = o.plates().choice();
      String after = o.plates().add(sighting.getValue(), settings.maxCandidates()).choice();
      ObjectFrame frame = ObjectFrame.of(recorded.frameSequence(), recorded.capturedAt(), sighting.getValue(),
          recorded.evidenceKey());
      if (!Objects.equals(before, after) && !updated.contains(o.trackId())) {
        // Only the plate changed: an update that repeats what the object is (its zones too, which the read
        // side would otherwise clear), with the new choice.
        out.add(new ObjectUpdated(recorded.cameraId(), o.trackId(), List.of(ObjectUpdated.PLATE), o.className(), o.best(),
            o.still(), List.copyOf(o.presence().zones().keySet()), recorded.capturedAt(), recorded.at(),
            o.presence().loitering(), after));
      }
      // Checked on every sighting, not only when the choice changes: an entry added or enabled while the
      // object is in view alerts too.
      alerts.addAll(alerts(settings, watch, recorded.cameraId(), o.trackId(), o.className(), after, o.alerted(), frame,
          recorded.at()));
    }
    out.addAll(alerts);
    return out;
  }

  /** Ended objects ({@link ObjectTracking#endAll}) with their final plates. */
  static List<Event> ended(CameraEntity.State state, List<Event> events) {
    Map<Long, TrackedObject> open = new HashMap<>();
    for (TrackedObject o : state.objects()) open.put(o.trackId(), o);
    return events.stream()
        .map(e -> e instanceof ObjectEnded d && open.containsKey(d.trackId())
            ? (Event) d.withPlate(open.get(d.trackId()).plates().choice())
            : e)
        .toList();
  }

  private static List<AlertRaised> alerts(PlateSettings settings, PlateWatch watch, String cameraId, long trackId,
      String className, String plate, List<String> alerted, ObjectFrame frame, Instant now) {
    if (plate == null || alerted.size() >= settings.maxAlertsPerObject()) return List.of();
    List<AlertRaised> out = new ArrayList<>();
    for (PlateWatch.Hit hit : watch.hits(plate)) {
      if (alerted.size() + out.size() >= settings.maxAlertsPerObject()) break;
      if (alerted.contains(hit.entryId())) continue;
      out.add(new AlertRaised(cameraId, trackId, alertId(cameraId, trackId, hit.entryId()), plate, hit.entryId(),
          hit.pattern(), hit.label(), className, frame, now));
    }
    return out;
  }

  /** One alert per object per entry: its id says which (the read side keeps one row per id). */
  static String alertId(String cameraId, long trackId, String entryId) {
    return cameraId + ":" + trackId + ":" + entryId;
  }

  /** Event handler: a recorded frame's plate reads join the votes of the open objects they belong to. */
  static CameraEntity.State votes(PlateSettings settings, CameraEntity.State state, DetectionsRecorded e) {
    Map<Long, RecordedDetection> reads = new HashMap<>();
    for (RecordedDetection d : e.detections()) {
      if (d.trackId() != null && PlateVote.weight(d) > 0) reads.put(d.trackId(), d);
    }
    if (reads.isEmpty() || state.objects().isEmpty()) return state;
    List<TrackedObject> next = state.objects().stream()
        .map(o -> reads.containsKey(o.trackId()) ? o.withPlates(o.plates().add(reads.get(o.trackId()), settings.maxCandidates())) : o)
        .toList();
    return state.withObjects(next, state.tracker());
  }

  /**
   * Event handler, after the object was added: its first plate read, from the frame that confirmed it (the
   * {@link DetectionsRecorded} just before, which left its detections as the state's last ones).
   */
  static CameraEntity.State started(PlateSettings settings, CameraEntity.State state, ObjectStarted e) {
    RecordedDetection first = state.lastDetections().stream()
        .filter(d -> d.trackId() != null && d.trackId() == e.trackId())
        .findFirst().orElse(null);
    if (first == null || PlateVote.weight(first) == 0) return state;
    List<TrackedObject> next = state.objects().stream()
        .map(o -> o.trackId() == e.trackId() ? o.withPlates(PlateVote.EMPTY.add(first, settings.maxCandidates())) : o)
        .toList();
    return state.withObjects(next, state.tracker());
  }

  /** Event handler: the object will not alert for this entry again. */
  static CameraEntity.State alerted(CameraEntity.State state, AlertRaised e) {
    List<TrackedObject> next = state.objects().stream()
        .map(o -> o.trackId() == e.trackId() && !o.alerted().contains(e.entryId()) ? o.withAlert(e.entryId()) : o)
        .toList();
    return state.withObjects(next, state.tracker());
  }
}
