package gtvision.tracking;

import gtvision.inference.BoundingBox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A camera's multi-object tracker, ByteTrack-style. Per frame:
 *
 * <ol>
 *   <li>tracks unseen for longer than max-age end; the others' Kalman filters are predicted to the
 *       frame's capture time;
 *   <li>confirmed tracks are matched to high-confidence detections (optimal assignment on 1 - IoU,
 *       gated at match-iou, only within a class group);
 *   <li>confirmed tracks left over are matched to low-confidence detections: a dip in confidence
 *       (occlusion, blur) keeps a track instead of ending it, without letting low detections start
 *       tracks;
 *   <li>tentative tracks are matched to the high detections left; a tentative track that misses a
 *       frame is dropped (most are false positives);
 *   <li>tentative tracks of one hit still unmatched are matched to the high detections left by
 *       centre distance (centre-gate box sizes, similar size): without a velocity yet, a fast mover's
 *       second box need not overlap its first;
 *   <li>high detections still unmatched start tentative tracks;
 *   <li>confirmed tracks that missed max-misses frames in a row end.
 * </ol>
 *
 * Confirmed tracks take precedence over tentative ones for a detection, as in ByteTrack, so a false
 * positive next to an object cannot steal its detections.
 *
 * <p>Not thread-safe: one per camera, used by that camera's actor. Deterministic: the same state and
 * frames give the same answers.
 */
public final class Tracker {

  private final TrackerSettings settings;
  // Class name -> group key; a cache of settings.classKey, which the hot path asks per detection.
  private final Map<String, String> classKeys = new HashMap<>();
  private long nextId;
  private Instant lastCapturedAt;
  private List<TrackState> tracks;

  private Tracker(TrackerSettings settings, TrackerState state) {
    if (settings == null) throw new IllegalArgumentException("tracker settings are missing");
    if (state == null) throw new IllegalArgumentException("tracker state is missing");
    this.settings = settings;
    this.nextId = state.nextId();
    this.lastCapturedAt = state.lastCapturedAt().orElse(null);
    this.tracks = new ArrayList<>(state.tracks());
  }

  public Tracker(TrackerSettings settings) {
    this(settings, TrackerState.EMPTY);
  }

  /** A tracker that continues from a snapshot. */
  public static Tracker restore(TrackerSettings settings, TrackerState state) {
    return new Tracker(settings, state);
  }

  public TrackerState snapshot() {
    return new TrackerState(nextId, Optional.ofNullable(lastCapturedAt), tracks);
  }

  public TrackerSettings settings() {
    return settings;
  }

  /** Live tracks, tentative and confirmed, in the order they started. */
  public List<TrackState> tracks() {
    return List.copyOf(tracks);
  }

  /**
   * Takes one frame's detections. A frame older than the latest processed one is rejected (see
   * {@link TrackUpdate#rejection()}) and changes nothing; one with the same capture time is taken.
   */
  public TrackUpdate update(Instant capturedAt, List<TrackInput> detections) {
    if (capturedAt == null) throw new IllegalArgumentException("frame capture time is missing");
    if (detections == null) throw new IllegalArgumentException("frame detections are missing (pass an empty list)");
    for (int i = 0; i < detections.size(); i++) {
      if (detections.get(i) == null) throw new IllegalArgumentException("detection " + i + " is null");
    }
    if (lastCapturedAt != null && capturedAt.isBefore(lastCapturedAt)) {
      return TrackUpdate.rejected(capturedAt, lastCapturedAt, detections.size());
    }
    double dt = lastCapturedAt == null ? 0 : seconds(Duration.between(lastCapturedAt, capturedAt));
    lastCapturedAt = capturedAt;

    List<TrackSummary> ended = new ArrayList<>();
    List<TrackState> live = new ArrayList<>(tracks.size());
    for (TrackState t : tracks) {
      if (Duration.between(t.lastSeen(), capturedAt).compareTo(settings.maxAge()) > 0) {
        if (t.confirmed()) ended.add(t.summary());
      } else {
        live.add(withKalman(t, KalmanBox.predict(t.kalman(), dt)));
      }
    }

    int n = detections.size();
    String[] detKeys = new String[n];
    for (int i = 0; i < n; i++) detKeys[i] = classKey(detections.get(i).className());
    List<Integer> high = new ArrayList<>();
    List<Integer> low = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double c = detections.get(i).confidence();
      if (c >= settings.highThreshold()) high.add(i);
      else if (c >= settings.lowThreshold()) low.add(i);
    }
    List<Integer> confirmed = new ArrayList<>();
    List<Integer> tentative = new ArrayList<>();
    for (int t = 0; t < live.size(); t++) (live.get(t).confirmed() ? confirmed : tentative).add(t);

    int[] detOfTrack = new int[live.size()];
    Arrays.fill(detOfTrack, -1);
    associate(live, confirmed, detections, detKeys, high, detOfTrack);
    associate(live, remaining(confirmed, detOfTrack), detections, detKeys, low, detOfTrack);
    associate(live, tentative, detections, detKeys, high, detOfTrack);
    if (settings.centreGate() > 0) {
      // A track with one hit has no velocity, so a fast mover's second box may not overlap its first
      // at all. Only what the IoU passes left gets this distance gate: confirmed tracks have had their
      // pick, so a tentative one (most often a false positive) cannot take an object's detection.
      List<Integer> newborn = new ArrayList<>();
      for (int t : tentative) if (detOfTrack[t] < 0 && live.get(t).hits() == 1) newborn.add(t);
      associateByCentre(live, newborn, detections, detKeys, high, detOfTrack);
    }

    OptionalLong[] trackIds = new OptionalLong[n];
    Arrays.fill(trackIds, OptionalLong.empty());
    boolean[] detUsed = new boolean[n];
    List<TrackSummary> started = new ArrayList<>();
    List<TrackSummary> newlyConfirmed = new ArrayList<>();
    List<TrackSummary> becameStill = new ArrayList<>();
    List<TrackSummary> movedAgain = new ArrayList<>();
    List<TrackState> next = new ArrayList<>(live.size() + high.size());
    for (int t = 0; t < live.size(); t++) {
      TrackState track = live.get(t);
      int d = detOfTrack[t];
      if (d < 0) {
        TrackState missed = withMiss(track);
        if (!missed.confirmed()) continue; // a tentative track that misses a frame is dropped
        if (missed.misses() >= settings.maxMisses()) ended.add(missed.summary());
        else next.add(missed);
        continue;
      }
      detUsed[d] = true;
      TrackState hit = withHit(track, capturedAt, detections.get(d));
      if (hit.confirmed()) {
        trackIds[d] = OptionalLong.of(hit.id());
        if (!track.confirmed()) newlyConfirmed.add(hit.summary());
        else if (hit.still() && !track.still()) becameStill.add(hit.summary());
        else if (!hit.still() && track.still()) movedAgain.add(hit.summary());
      }
      next.add(hit);
    }
    for (int d : high) {
      if (detUsed[d]) continue;
      TrackState born = newTrack(capturedAt, detections.get(d), detKeys[d]);
      started.add(born.summary());
      if (born.confirmed()) {
        trackIds[d] = OptionalLong.of(born.id());
        newlyConfirmed.add(born.summary());
      }
      next.add(born);
    }
    tracks = next;
    return new TrackUpdate(capturedAt, Optional.empty(), Arrays.asList(trackIds), started,
        newlyConfirmed, ended, becameStill, movedAgain);
  }

  // Optimal assignment of the given tracks to the given detections not yet taken; writes into
  // detOfTrack. Pairs of different class groups or below match-iou are never matched.
  private void associate(List<TrackState> live, List<Integer> trackIdx, List<TrackInput> detections,
      String[] detKeys, List<Integer> detIdx, int[] detOfTrack) {
    List<Integer> free = untaken(detIdx, detOfTrack, detections.size());
    if (trackIdx.isEmpty() || free.isEmpty()) return;
    double maxCost = 1 - settings.matchIou();
    // Outside the gate: anything above maxCost; 2 keeps the matrix finite and small.
    double[][] cost = new double[trackIdx.size()][free.size()];
    for (int r = 0; r < trackIdx.size(); r++) {
      TrackState t = live.get(trackIdx.get(r));
      BoundingBox predicted = t.predictedBox();
      for (int c = 0; c < free.size(); c++) {
        int d = free.get(c);
        cost[r][c] = t.classKey().equals(detKeys[d]) ? 1 - predicted.iou(detections.get(d).box()) : 2;
      }
    }
    int[] match = Assignment.solve(cost, maxCost);
    for (int r = 0; r < match.length; r++) {
      if (match[r] >= 0) detOfTrack[trackIdx.get(r)] = free.get(match[r]);
    }
  }

  // As associate, on the distance between the predicted centre and the detection's, in units of the
  // predicted box's larger side, gated at centre-gate; boxes whose sizes differ by more than
  // centre-gate-size-ratio never match.
  private void associateByCentre(List<TrackState> live, List<Integer> trackIdx, List<TrackInput> detections,
      String[] detKeys, List<Integer> detIdx, int[] detOfTrack) {
    List<Integer> free = untaken(detIdx, detOfTrack, detections.size());
    if (trackIdx.isEmpty() || free.isEmpty()) return;
    double gate = settings.centreGate();
    double ratio = settings.centreGateSizeRatio();
    // Costs are distances over the gate, so the gate is 1; 2 stands for outside it.
    double[][] cost = new double[trackIdx.size()][free.size()];
    for (int r = 0; r < trackIdx.size(); r++) {
      TrackState t = live.get(trackIdx.get(r));
      BoundingBox p = t.predictedBox();
      double ps = size(p);
      for (int c = 0; c < free.size(); c++) {
        int d = free.get(c);
        BoundingBox b = detections.get(d).box();
        double bs = size(b);
        double dist = Math.hypot((b.x1() + b.x2() - p.x1() - p.x2()) / 2, (b.y1() + b.y2() - p.y1() - p.y2()) / 2);
        boolean similar = Math.max(ps, bs) <= ratio * Math.min(ps, bs);
        cost[r][c] = t.classKey().equals(detKeys[d]) && similar ? Math.min(2, dist / (gate * ps)) : 2;
      }
    }
    int[] match = Assignment.solve(cost, 1);
    for (int r = 0; r < match.length; r++) {
      if (match[r] >= 0) detOfTrack[trackIdx.get(r)] = free.get(match[r]);
    }
  }

  // The given detections that no track has taken yet.
  private static List<Integer> untaken(List<Integer> detIdx, int[] detOfTrack, int detections) {
    boolean[] taken = new boolean[detections];
    for (int d : detOfTrack) if (d >= 0) taken[d] = true;
    List<Integer> free = new ArrayList<>(detIdx.size());
    for (int d : detIdx) if (!taken[d]) free.add(d);
    return free;
  }

  private static List<Integer> remaining(List<Integer> trackIdx, int[] detOfTrack) {
    List<Integer> out = new ArrayList<>();
    for (int t : trackIdx) if (detOfTrack[t] < 0) out.add(t);
    return out;
  }

  private TrackState newTrack(Instant at, TrackInput d, String key) {
    KalmanState k = KalmanBox.initiate(d.box());
    PathPoint centre = centre(at, d.box());
    TrackState t = new TrackState(nextId++, key, Map.of(d.className(), d.confidence()),
        settings.confirmHits() <= 1, 1, 0, at, at, k, Path.start(centre), new BestDetection(at, d),
        centre, size(d.box()), false);
    return t;
  }

  private TrackState withHit(TrackState t, Instant at, TrackInput d) {
    KalmanState k = KalmanBox.update(t.kalman(), d.box());
    BoundingBox filtered = KalmanBox.box(k);
    PathPoint centre = centre(at, filtered);
    int hits = t.hits() + 1;
    Map<String, Double> votes = new TreeMap<>(t.classVotes());
    votes.merge(d.className(), d.confidence(), Double::sum);
    BestDetection best = BestDetection.score(d) > t.best().score() ? new BestDetection(at, d) : t.best();
    // Still: measured from where it stood when it last moved, so a slow creep adds up and counts.
    PathPoint anchor = t.anchor();
    double anchorSize = t.anchorSize();
    boolean still = t.still();
    double moved = Math.hypot(centre.x() - anchor.x(), centre.y() - anchor.y());
    if (moved > settings.stillThreshold() * anchorSize) {
      anchor = centre;
      anchorSize = size(filtered);
      still = false;
    } else if (!still && Duration.between(anchor.at(), at).compareTo(settings.stillAfter()) >= 0) {
      still = true;
    }
    return new TrackState(t.id(), t.classKey(), votes, t.confirmed() || hits >= settings.confirmHits(),
        hits, 0, t.firstSeen(), at, k, t.path().with(hits, centre), best, anchor, anchorSize, still);
  }

  private static TrackState withMiss(TrackState t) {
    return new TrackState(t.id(), t.classKey(), t.classVotes(), t.confirmed(), t.hits(),
        t.misses() + 1, t.firstSeen(), t.lastSeen(), t.kalman(), t.path(), t.best(), t.anchor(),
        t.anchorSize(), t.still());
  }

  private static TrackState withKalman(TrackState t, KalmanState k) {
    return new TrackState(t.id(), t.classKey(), t.classVotes(), t.confirmed(), t.hits(), t.misses(),
        t.firstSeen(), t.lastSeen(), k, t.path(), t.best(), t.anchor(), t.anchorSize(), t.still());
  }

  private String classKey(String className) {
    return classKeys.computeIfAbsent(className, settings::classKey);
  }

  private static PathPoint centre(Instant at, BoundingBox b) {
    return new PathPoint(at, (b.x1() + b.x2()) / 2, (b.y1() + b.y2()) / 2);
  }

  private static double size(BoundingBox b) {
    return Math.max(b.width(), b.height());
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }
}
