package gtvision.tracking;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code gtv.tracking} (tracking.conf): thresholds and lifecycle of a camera's tracker.
 *
 * @param highThreshold detections at or above are matched first and may start tracks
 * @param lowThreshold detections in [low, high) only keep existing tracks alive; below are ignored
 * @param matchIou least IoU between a track's predicted box and a detection to match
 * @param confirmHits hits before a tentative track is confirmed
 * @param maxMisses a confirmed track ends after this many frames in a row without a match
 * @param maxAge a track ends after this long without a sighting, whatever the frame count
 * @param stillThreshold centre movement, as a fraction of the box's larger side, below which a track
 *     counts as not moving
 * @param stillAfter how long a track must not move before it is flagged still
 * @param classGroups classes a track may switch between; a class in no group matches only itself
 * @param centreGate for tentative tracks of one hit (no velocity yet): a high detection left after
 *     the IoU passes matches when its centre lies within this many box sizes (the larger side) of the
 *     track's; 0 turns the gate off
 * @param centreGateSizeRatio the most the larger sides of track box and detection may differ, as a
 *     ratio, for the centre gate
 */
public record TrackerSettings(double highThreshold, double lowThreshold, double matchIou,
    int confirmHits, int maxMisses, Duration maxAge, double stillThreshold, Duration stillAfter,
    List<Set<String>> classGroups, double centreGate, double centreGateSizeRatio) {

  /** tracking.conf's defaults of the centre gate, for callers that set only the other settings. */
  public static final double DEFAULT_CENTRE_GATE = 2.0;
  public static final double DEFAULT_CENTRE_GATE_SIZE_RATIO = 1.3;

  public static final TrackerSettings DEFAULTS = new TrackerSettings(0.5, 0.1, 0.2, 2, 5,
      Duration.ofSeconds(60), 0.1, Duration.ofSeconds(30), List.of(Set.of("car", "truck", "bus")));

  /** Settings with the centre gate at its defaults. */
  public TrackerSettings(double highThreshold, double lowThreshold, double matchIou, int confirmHits,
      int maxMisses, Duration maxAge, double stillThreshold, Duration stillAfter, List<Set<String>> classGroups) {
    this(highThreshold, lowThreshold, matchIou, confirmHits, maxMisses, maxAge, stillThreshold, stillAfter,
        classGroups, DEFAULT_CENTRE_GATE, DEFAULT_CENTRE_GATE_SIZE_RATIO);
  }

  /** These settings with another centre gate (0: off; benchmarks compare with and without). */
  public TrackerSettings withCentreGate(double centreGate, double centreGateSizeRatio) {
    return new TrackerSettings(highThreshold, lowThreshold, matchIou, confirmHits, maxMisses, maxAge,
        stillThreshold, stillAfter, classGroups, centreGate, centreGateSizeRatio);
  }

  public TrackerSettings {
    fraction(lowThreshold, "low-threshold");
    fraction(highThreshold, "high-threshold");
    if (lowThreshold > highThreshold) {
      throw new IllegalArgumentException("gtv.tracking.low-threshold (" + lowThreshold
          + ") must not be above high-threshold (" + highThreshold + ")");
    }
    if (!(matchIou > 0 && matchIou <= 1)) {
      throw new IllegalArgumentException("gtv.tracking.match-iou must be in (0, 1], not " + matchIou);
    }
    if (confirmHits < 1) throw new IllegalArgumentException("gtv.tracking.confirm-hits must be at least 1, not " + confirmHits);
    if (maxMisses < 1) throw new IllegalArgumentException("gtv.tracking.max-misses must be at least 1, not " + maxMisses);
    positive(maxAge, "max-age");
    positive(stillAfter, "still-after");
    if (!(stillThreshold >= 0) || Double.isInfinite(stillThreshold)) {
      throw new IllegalArgumentException("gtv.tracking.still-threshold must be a finite number >= 0, not " + stillThreshold);
    }
    if (!(centreGate >= 0) || Double.isInfinite(centreGate)) {
      throw new IllegalArgumentException("gtv.tracking.centre-gate must be a finite number >= 0 (0 turns it off), not " + centreGate);
    }
    if (!(centreGateSizeRatio >= 1) || Double.isInfinite(centreGateSizeRatio)) {
      throw new IllegalArgumentException("gtv.tracking.centre-gate-size-ratio must be a finite number >= 1, not " + centreGateSizeRatio);
    }
    List<Set<String>> groups = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (Set<String> g : classGroups) {
      for (String c : g) {
        if (!seen.add(c)) {
          throw new IllegalArgumentException("gtv.tracking.class-groups: class '" + c + "' is in more than one group");
        }
      }
      groups.add(Set.copyOf(g));
    }
    classGroups = List.copyOf(groups);
  }

  /** Reads {@code gtv.tracking} of the node's configuration. */
  public static TrackerSettings from(Config root) {
    Config t = root.getConfig("gtv.tracking");
    return new TrackerSettings(
        t.getDouble("high-threshold"),
        t.getDouble("low-threshold"),
        t.getDouble("match-iou"),
        t.getInt("confirm-hits"),
        t.getInt("max-misses"),
        t.getDuration("max-age"),
        t.getDouble("still-threshold"),
        t.getDuration("still-after"),
        classGroups(t),
        t.getDouble("centre-gate"),
        t.getDouble("centre-gate-size-ratio"));
  }

  /**
   * The classes that may share a track with {@code className}: its group, or itself alone. The
   * group's smallest name is its key, so two classes are compatible when their keys are equal.
   */
  public String classKey(String className) {
    for (Set<String> g : classGroups) {
      if (g.contains(className)) return new TreeSet<>(g).first();
    }
    return className;
  }

  // In a file the groups are a list; from the environment (GTV_TRACKING_CLASS_GROUPS) a string
  // "car,truck,bus;person,bicycle", groups separated by ';'.
  private static List<Set<String>> classGroups(Config t) {
    List<String> raw = t.getValue("class-groups").valueType() == ConfigValueType.LIST
        ? t.getStringList("class-groups")
        : Arrays.asList(t.getString("class-groups").split(";"));
    List<Set<String>> groups = new ArrayList<>();
    for (String g : raw) {
      Set<String> classes = new TreeSet<>();
      for (String c : g.split(",")) {
        if (!c.isBlank()) classes.add(c.trim());
      }
      if (!classes.isEmpty()) groups.add(classes);
    }
    return groups;
  }

  private static void fraction(double v, String name) {
    if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException("gtv.tracking." + name + " must be in [0, 1], not " + v);
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("gtv.tracking." + name + " must be a positive duration, not " + d);
    }
  }
}
