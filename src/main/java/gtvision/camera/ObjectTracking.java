package gtvision.camera;

import gtvision.camera.CameraEntity.DetectionsRecorded;
import gtvision.camera.CameraEntity.Event;
import gtvision.camera.CameraEntity.ObjectEnded;
import gtvision.camera.CameraEntity.ObjectStarted;
import gtvision.camera.CameraEntity.ObjectUpdated;
import gtvision.tracking.PathPoint;
import gtvision.tracking.TrackInput;
import gtvision.tracking.TrackState;
import gtvision.tracking.TrackSummary;
import gtvision.tracking.TrackUpdate;
import gtvision.tracking.Tracker;
import gtvision.tracking.TrackerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The camera's objects, as pure functions of its state: which events a frame's detections make, and how
 * the tracker state moves on with a recorded frame. The entity's command handler asks {@link #frame};
 * its event handler applies {@link #advance} to every {@link DetectionsRecorded}, live and in recovery,
 * so the tracker state is whatever the journal says (the tracker is deterministic).
 */
final class ObjectTracking {

  /** Why an object ended. */
  static final String LOST = "lost";
  static final String SILENCE = "silence";
  static final String REMOVED = "camera-removed";

  private ObjectTracking() {}

  /**
   * The events of one frame: its {@link DetectionsRecorded}, each detection with its trackId, then the
   * object events it causes (ended, started, updated). A frame older than the tracker's latest is recorded
   * untracked and changes no object.
   */
  static List<Event> frame(ObjectSettings settings, CameraEntity.State state, long frameSequence, Instant capturedAt,
      String provider, List<RecordedDetection> detections, String evidenceKey, Instant now) {
    String cameraId = state.cameraId();
    Tracker tracker = Tracker.restore(settings.tracker(), state.tracker());
    Inputs in = Inputs.of(detections);
    TrackUpdate update = tracker.update(capturedAt, in.inputs);
    List<Event> events = new ArrayList<>();
    if (!update.accepted()) {
      events.add(new DetectionsRecorded(cameraId, frameSequence, capturedAt, provider, detections, now, evidenceKey));
      return events;
    }
    Long[] ids = new Long[detections.size()];
    for (int k = 0; k < in.index.size(); k++) {
      OptionalLong id = update.trackIds().get(k);
      if (id.isPresent()) ids[in.index.get(k)] = id.getAsLong();
    }
    List<RecordedDetection> tracked = new ArrayList<>(detections.size());
    for (int i = 0; i < detections.size(); i++) tracked.add(detections.get(i).withTrackId(ids[i]));
    events.add(new DetectionsRecorded(cameraId, frameSequence, capturedAt, provider, tracked, now, evidenceKey));

    Map<Long, TrackedObject> open = new HashMap<>();
    for (TrackedObject o : state.objects()) open.put(o.trackId(), o);
    Map<Long, TrackState> live = new HashMap<>();
    for (TrackState t : tracker.tracks()) live.put(t.id(), t);

    for (TrackSummary ended : update.ended()) {
      TrackedObject o = open.remove(ended.id());
      if (o != null) events.add(ended(cameraId, o, Optional.of(ended), LOST, now));
    }
    // An open object whose track the tracker no longer has (it ended unconfirmed, or the settings changed
    // since the journal was written) ends too: an object never stays open without a track.
    for (TrackedObject o : List.copyOf(open.values())) {
      if (!live.containsKey(o.trackId())) {
        open.remove(o.trackId());
        events.add(ended(cameraId, o, Optional.empty(), LOST, now));
      }
    }
    for (int i = 0; i < tracked.size(); i++) {
      RecordedDetection d = tracked.get(i);
      if (d.trackId() == null) continue;
      TrackState track = live.get(d.trackId());
      ObjectFrame sighting = ObjectFrame.of(frameSequence, capturedAt, d, evidenceKey);
      TrackedObject o = open.get(d.trackId());
      if (o == null) {
        events.add(new ObjectStarted(cameraId, d.trackId(), track.className(), d.bbox(), track.firstSeen(), sighting,
            ZoneTracking.zonesAt(state, track.className(), d.bbox()), now));
        open.put(d.trackId(), new TrackedObject(d.trackId(), track.className(), track.firstSeen(), sighting, false));
        continue;
      }
      Optional<ObjectUpdated> changed = changes(settings, cameraId, o, track, sighting, now);
      changed = ZoneTracking.update(settings, state, o, track.className(), sighting, changed, now);
      changed.ifPresent(events::add);
      events.addAll(ZoneTracking.crossings(state, o, track.className(), sighting, now));
    }
    return events;
  }

  /**
   * What is worth telling about an object in a new sighting, if anything. A still object tells only that
   * it became still, then nothing until it moves again.
   */
  private static Optional<ObjectUpdated> changes(ObjectSettings settings, String cameraId, TrackedObject o,
      TrackState track, ObjectFrame sighting, Instant now) {
    if (track.still()) {
      if (o.still()) return Optional.empty();
      return Optional.of(new ObjectUpdated(cameraId, o.trackId(), List.of(ObjectUpdated.STILL), o.className(), o.best(),
          true, List.of(), sighting.capturedAt(), now));
    }
    TreeSet<String> reasons = new TreeSet<>();
    if (o.still()) reasons.add(ObjectUpdated.MOVING);
    ObjectFrame best = o.best();
    if (sighting.score() > best.score() * (1 + settings.betterFrameGain())) {
      reasons.add(ObjectUpdated.BETTER_FRAME);
      best = sighting;
    }
    String className = track.className();
    if (!className.equals(o.className())) reasons.add(ObjectUpdated.CLASS);
    if (reasons.isEmpty()) return Optional.empty();
    return Optional.of(new ObjectUpdated(cameraId, o.trackId(), List.copyOf(reasons), className, best, false, List.of(),
        sighting.capturedAt(), now));
  }

  /** Ends every open object: the camera heard nothing for the tracker's max-age, or it was removed. */
  static List<Event> endAll(CameraEntity.State state, String reason, Instant now) {
    Map<Long, TrackState> live = new HashMap<>();
    for (TrackState t : state.tracker().tracks()) live.put(t.id(), t);
    List<Event> events = new ArrayList<>();
    for (TrackedObject o : state.objects()) {
      Optional<TrackSummary> track = Optional.ofNullable(live.get(o.trackId())).map(TrackState::summary);
      events.add(ended(state.cameraId(), o, track, reason, now));
    }
    return events;
  }

  private static ObjectEnded ended(String cameraId, TrackedObject o, Optional<TrackSummary> track, String reason,
      Instant now) {
    Instant lastSeen = track.map(TrackSummary::lastSeen).orElse(o.best().capturedAt());
    if (lastSeen.isBefore(o.startedAt())) lastSeen = o.startedAt();
    List<PathPoint> path = track.map(TrackSummary::path).orElse(List.of());
    return new ObjectEnded(cameraId, o.trackId(), track.map(TrackSummary::className).orElse(o.className()), o.startedAt(),
        lastSeen, Duration.between(o.startedAt(), lastSeen).toMillis(), path, o.best(), reason, now);
  }

  /** The tracker state after a recorded frame (the same answer the command handler got for it). */
  static TrackerState advance(ObjectSettings settings, TrackerState state, DetectionsRecorded e) {
    Tracker tracker = Tracker.restore(settings.tracker(), state);
    TrackUpdate update = tracker.update(e.capturedAt(), Inputs.of(e.detections()).inputs);
    return update.accepted() ? tracker.snapshot() : state;
  }

  /**
   * The detections the tracker can take, with their positions in the frame. A box without area, or not
   * four finite numbers, is recorded but not tracked (the filter needs a width and a height); skipping it
   * rather than failing keeps replay of any journal safe.
   */
  private record Inputs(List<TrackInput> inputs, List<Integer> index) {
    static Inputs of(List<RecordedDetection> detections) {
      List<TrackInput> inputs = new ArrayList<>(detections.size());
      List<Integer> index = new ArrayList<>(detections.size());
      for (int i = 0; i < detections.size(); i++) {
        RecordedDetection d = detections.get(i);
        List<Double> b = d.bbox();
        if (d.className() == null || d.className().isBlank() || b.size() != 4 || !(d.confidence() >= 0 && d.confidence() <= 1)) {
          continue;
        }
        boolean finite = b.stream().allMatch(v -> v != null && Double.isFinite(v));
        if (!finite || !(b.get(2) > b.get(0) && b.get(3) > b.get(1))) continue;
        inputs.add(TrackInput.of(d.className(), d.confidence(), b));
        index.add(i);
      }
      return new Inputs(inputs, index);
    }
  }
}
