package gtvision.tracking;

import gtvision.inference.BoundingBox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CLEAR-MOT (Bernardin and Stiefelhagen 2008) and identity (Ristani et al. 2016) scores of tracker
 * output against ground truth, with IoU >= 0.5 as a match, as py-motmetrics computes them:
 *
 * <ul>
 *   <li>per frame, a truth object keeps last frame's hypothesis when they still overlap enough; the
 *       rest are matched optimally on 1 - IoU; a truth object matched to a hypothesis other than
 *       the one it was last matched to is an ID switch;
 *   <li>MOTA = 1 - (misses + false positives + ID switches) / truth boxes;
 *   <li>IDF1 = 2 IDTP / (truth boxes + hypothesis boxes), IDTP from the one-to-one truth-to-track
 *       mapping that maximises the frames they overlap in.
 * </ul>
 */
public final class MotScorer {

  private static final double IOU = 0.5;

  record Box(long id, BoundingBox box) {}

  public record Scores(int truthBoxes, int truthObjects, int hypothesisBoxes, int misses, int falsePositives,
      int idSwitches, double mota, double idf1) {

    public double idSwitchesPer100() {
      return truthObjects == 0 ? 0 : 100.0 * idSwitches / truthObjects;
    }

    @Override
    public String toString() {
      return String.format("MOTA %.3f IDF1 %.3f IDsw %d (%.1f per 100 objects) FN %d FP %d truth %d boxes / %d objects",
          mota, idf1, idSwitches, idSwitchesPer100(), misses, falsePositives, truthBoxes, truthObjects);
    }
  }

  private final Map<Long, Long> current = new HashMap<>(); // truth -> hypothesis matched last frame
  private final Map<Long, Long> lastMatch = new HashMap<>(); // truth -> hypothesis last matched ever
  private final Map<Long, Integer> truthIndex = new LinkedHashMap<>();
  private final Map<Long, Integer> hypIndex = new LinkedHashMap<>();
  private final Map<Long, Map<Long, Integer>> overlaps = new HashMap<>(); // truth -> hyp -> frames
  private int truthBoxes;
  private int hypBoxes;
  private int misses;
  private int falsePositives;
  private int idSwitches;

  /**
   * A frame with "don't care" regions (objects too hidden or too small to count, as MOT17's
   * evaluation has them): a hypothesis that matches no counted truth box and lies mostly (half its
   * area or more) inside an ignored box is left out, neither a hit nor a false positive.
   */
  void frame(List<Box> truth, List<BoundingBox> ignored, List<Box> hypotheses) {
    List<Box> kept = new ArrayList<>(hypotheses.size());
    for (Box h : hypotheses) {
      boolean matchesTruth = truth.stream().anyMatch(t -> t.box().iou(h.box()) >= IOU);
      boolean inIgnored = ignored.stream().anyMatch(b -> intersection(b, h.box()) >= 0.5 * h.box().area());
      if (matchesTruth || !inIgnored) kept.add(h);
    }
    frame(truth, kept);
  }

  private static double intersection(BoundingBox a, BoundingBox b) {
    double iw = Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1());
    double ih = Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1());
    return iw <= 0 || ih <= 0 ? 0 : iw * ih;
  }

  void frame(List<Box> truth, List<Box> hypotheses) {
    truthBoxes += truth.size();
    hypBoxes += hypotheses.size();
    for (Box t : truth) truthIndex.putIfAbsent(t.id(), truthIndex.size());
    for (Box h : hypotheses) hypIndex.putIfAbsent(h.id(), hypIndex.size());
    for (Box t : truth) {
      for (Box h : hypotheses) {
        if (t.box().iou(h.box()) >= IOU) {
          overlaps.computeIfAbsent(t.id(), k -> new HashMap<>()).merge(h.id(), 1, Integer::sum);
        }
      }
    }

    boolean[] truthDone = new boolean[truth.size()];
    boolean[] hypDone = new boolean[hypotheses.size()];
    Map<Long, Long> matched = new HashMap<>();
    for (int i = 0; i < truth.size(); i++) {
      Long prev = current.get(truth.get(i).id());
      if (prev == null) continue;
      for (int j = 0; j < hypotheses.size(); j++) {
        if (!hypDone[j] && hypotheses.get(j).id() == prev && truth.get(i).box().iou(hypotheses.get(j).box()) >= IOU) {
          truthDone[i] = true;
          hypDone[j] = true;
          matched.put(truth.get(i).id(), prev);
        }
      }
    }
    List<Integer> rows = new ArrayList<>();
    List<Integer> cols = new ArrayList<>();
    for (int i = 0; i < truth.size(); i++) if (!truthDone[i]) rows.add(i);
    for (int j = 0; j < hypotheses.size(); j++) if (!hypDone[j]) cols.add(j);
    double[][] cost = new double[rows.size()][cols.size()];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < cols.size(); c++) {
        cost[r][c] = 1 - truth.get(rows.get(r)).box().iou(hypotheses.get(cols.get(c)).box());
      }
    }
    int[] match = Assignment.solve(cost, 1 - IOU);
    for (int r = 0; r < match.length; r++) {
      if (match[r] < 0) continue;
      long t = truth.get(rows.get(r)).id();
      long h = hypotheses.get(cols.get(match[r])).id();
      Long before = lastMatch.get(t);
      if (before != null && before != h) idSwitches++;
      matched.put(t, h);
    }
    misses += truth.size() - matched.size();
    falsePositives += hypotheses.size() - matched.size();
    lastMatch.putAll(matched);
    current.clear();
    current.putAll(matched);
  }

  Scores scores() {
    int n = truthIndex.size();
    int m = hypIndex.size();
    double[][] cost = new double[n][m];
    overlaps.forEach((t, hs) -> hs.forEach((h, frames) -> cost[truthIndex.get(t)][hypIndex.get(h)] = -frames));
    int[] match = Assignment.solve(cost, 0);
    int idtp = 0;
    for (int i = 0; i < n; i++) if (match[i] >= 0) idtp += (int) -cost[i][match[i]];
    double mota = truthBoxes == 0 ? 1 : 1 - (double) (misses + falsePositives + idSwitches) / truthBoxes;
    double idf1 = truthBoxes + hypBoxes == 0 ? 1 : 2.0 * idtp / (truthBoxes + hypBoxes);
    return new Scores(truthBoxes, n, hypBoxes, misses, falsePositives, idSwitches, mota, idf1);
  }

  /** Runs a tracker over a scene and scores what it labelled: each detection with its track id. */
  public static Scores score(Tracker tracker, List<SceneGenerator.Frame> scene) {
    MotScorer scorer = new MotScorer();
    for (SceneGenerator.Frame f : scene) {
      TrackUpdate u = tracker.update(f.capturedAt(), f.detections());
      List<Box> truth = new ArrayList<>();
      for (SceneGenerator.Truth t : f.truth()) truth.add(new Box(t.objectId(), t.box()));
      List<Box> hyps = new ArrayList<>();
      for (int i = 0; i < f.detections().size(); i++) {
        if (u.trackIds().get(i).isPresent()) hyps.add(new Box(u.trackIds().get(i).getAsLong(), f.detections().get(i).box()));
      }
      scorer.frame(truth, hyps);
    }
    return scorer.scores();
  }
}
