package gtvision.bench;

import gtvision.inference.BoundingBox;
import gtvision.tracking.Geometry;
import gtvision.tracking.SceneGenerator;
import gtvision.tracking.TrackInput;
import gtvision.tracking.TrackUpdate;
import gtvision.tracking.Tracker;
import gtvision.tracking.TrackerSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What zones and lines add to a camera's frame: for every tracked detection, its bottom centre tested
 * against each zone's polygon and its move since the previous sighting against each line (the geometry
 * the camera entity runs per frame), next to the tracker's own update of the same frames, measured in
 * the same run. Args: [cameras (250)] [frames per camera (300)] [zones (8)] [lines (4)].
 */
public final class ZoneBenchmark {
  private static final double WIDTH = 1920;
  private static final double HEIGHT = 1080;

  public static void main(String[] args) {
    int cameras = args.length > 0 ? Integer.parseInt(args[0]) : 250;
    int frames = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int zoneCount = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int lineCount = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    List<List<List<Double>>> zones = new ArrayList<>();
    for (int z = 0; z < zoneCount; z++) zones.add(hexagon(0.1 + 0.8 * (z + 0.5) / zoneCount, 0.5, 0.4 / zoneCount + 0.05));
    List<double[]> lines = new ArrayList<>();
    for (int l = 0; l < lineCount; l++) {
      double y = 0.2 + 0.6 * l / Math.max(1, lineCount - 1);
      lines.add(new double[] {0.05, y, 0.95, y + 0.05});
    }
    SceneGenerator.Spec busy = new SceneGenerator.Spec(frames, frames / 4, frames / 30, 0.1, 1.0, 0.03, 0.15, 0.3);
    List<List<SceneGenerator.Frame>> scenes = new ArrayList<>();
    for (int s = 0; s < 25; s++) scenes.add(SceneGenerator.generate(1000 + s, busy));

    // The tracker's updates, recorded once, so the zone rounds replay exactly the ids the camera would see.
    List<List<List<OptionalLong>>> ids = new ArrayList<>();
    for (List<SceneGenerator.Frame> scene : scenes) {
      Tracker tracker = new Tracker(TrackerSettings.DEFAULTS);
      List<List<OptionalLong>> sceneIds = new ArrayList<>();
      for (SceneGenerator.Frame f : scene) sceneIds.add(tracker.update(f.capturedAt(), f.detections()).trackIds());
      ids.add(sceneIds);
    }

    long sink = 0;
    for (int round = 0; round < 2; round++) sink += trackerRound(scenes, cameras) + zoneRound(scenes, ids, cameras, zones, lines);
    int rounds = 3;
    long trackerNs = 0;
    long zoneNs = 0;
    long[] counts = new long[2];
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      sink += trackerRound(scenes, cameras);
      long t1 = System.nanoTime();
      long[] c = zoneCounts(scenes, ids, cameras, zones, lines);
      long t2 = System.nanoTime();
      trackerNs += t1 - t0;
      zoneNs += t2 - t1;
      counts = c;
    }
    double perFrames = (double) rounds * cameras * frames;
    System.out.printf("%d cameras x %d frames, %d zones (6 points), %d lines, %d rounds after 2 warm-up rounds%n",
        cameras, frames, zoneCount, lineCount, rounds);
    System.out.printf("tracker update: %.0f ns/frame; zones and lines: %.0f ns/frame (%.1f %% of the tracker's)%n",
        trackerNs / perFrames, zoneNs / perFrames, 100.0 * zoneNs / trackerNs);
    System.out.printf("per round: %d zone memberships, %d line crossings (checksum %d)%n", counts[0], counts[1], sink);
  }

  private static List<List<Double>> hexagon(double cx, double cy, double r) {
    List<List<Double>> points = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      double a = Math.PI * k / 3;
      points.add(List.of(cx + r * Math.cos(a), cy + r * Math.sin(a)));
    }
    return points;
  }

  private static long trackerRound(List<List<SceneGenerator.Frame>> scenes, int cameras) {
    Tracker[] trackers = new Tracker[cameras];
    for (int c = 0; c < cameras; c++) trackers[c] = new Tracker(TrackerSettings.DEFAULTS);
    long sink = 0;
    for (int f = 0; f < scenes.get(0).size(); f++) {
      for (int c = 0; c < cameras; c++) {
        SceneGenerator.Frame frame = scenes.get(c % scenes.size()).get(f);
        TrackUpdate u = trackers[c].update(frame.capturedAt(), frame.detections());
        sink += u.confirmed().size();
      }
    }
    return sink;
  }

  private static long zoneRound(List<List<SceneGenerator.Frame>> scenes, List<List<List<OptionalLong>>> ids, int cameras,
      List<List<List<Double>>> zones, List<double[]> lines) {
    long[] c = zoneCounts(scenes, ids, cameras, zones, lines);
    return c[0] + c[1];
  }

  /** Memberships and crossings of one round: each camera keeps its objects' previous anchors. */
  private static long[] zoneCounts(List<List<SceneGenerator.Frame>> scenes, List<List<List<OptionalLong>>> ids,
      int cameras, List<List<List<Double>>> zones, List<double[]> lines) {
    List<Map<Long, double[]>> previous = new ArrayList<>();
    for (int c = 0; c < cameras; c++) previous.add(new HashMap<>());
    long inside = 0;
    long crossings = 0;
    for (int f = 0; f < scenes.get(0).size(); f++) {
      for (int c = 0; c < cameras; c++) {
        int s = c % scenes.size();
        List<TrackInput> detections = scenes.get(s).get(f).detections();
        List<OptionalLong> frameIds = ids.get(s).get(f);
        Map<Long, double[]> last = previous.get(c);
        for (int i = 0; i < detections.size(); i++) {
          if (frameIds.get(i).isEmpty()) continue;
          BoundingBox b = detections.get(i).box();
          double x = (b.x1() + b.x2()) / 2 / WIDTH;
          double y = b.y2() / HEIGHT;
          for (List<List<Double>> zone : zones) if (Geometry.inside(x, y, zone)) inside++;
          double[] p = last.put(frameIds.get(i).getAsLong(), new double[] {x, y});
          if (p == null) continue;
          for (double[] l : lines) if (Geometry.crossing(p[0], p[1], x, y, l[0], l[1], l[2], l[3]) != 0) crossings++;
        }
      }
    }
    return new long[] {inside, crossings};
  }
}
