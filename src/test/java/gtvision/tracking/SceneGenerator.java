package gtvision.tracking;

import gtvision.inference.BoundingBox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Synthetic camera scenes with ground truth, for measuring the tracker: boxes of several classes
 * moving across a 1920x1080 picture at about one frame a second (irregular gaps), some at constant
 * velocity, some accelerating or turning, some parked; pairs that cross each other; occlusions
 * (an object unseen for a few frames, not in the truth then: nothing could be detected); and a
 * detector's faults: missed detections at a rate (in the truth: a real miss), jittered boxes and
 * confidences with dips below the high threshold, car/truck confusion and false positives.
 */
public final class SceneGenerator {

  static final double WIDTH = 1920;
  static final double HEIGHT = 1080;
  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  /**
   * @param frames frames in the scene
   * @param objects free-moving objects (crossing pairs come on top)
   * @param crossingPairs pairs of same-class objects that meet head on
   * @param missRate chance the detector misses a visible object in a frame
   * @param falsePositives mean false detections per frame
   * @param jitter standard deviation of each box edge, as a fraction of the box's size
   * @param lowDipRate chance a detection's confidence dips below 0.5 (but above 0.1)
   * @param occlusionRate chance an object is hidden once, for 2 to 4 frames
   */
  public record Spec(int frames, int objects, int crossingPairs, double missRate, double falsePositives,
      double jitter, double lowDipRate, double occlusionRate) {

    public static Spec standard() {
      return new Spec(150, 30, 4, 0.1, 1.0, 0.03, 0.15, 0.3);
    }
  }

  public record Truth(int objectId, String className, BoundingBox box) {}

  public record Frame(Instant capturedAt, List<Truth> truth, List<TrackInput> detections) {}

  private static final String[] CLASSES = {"car", "car", "truck", "person", "person", "bus", "bicycle"};

  private SceneGenerator() {}

  public static List<Frame> generate(long seed, Spec spec) {
    Random rnd = new Random(seed);
    double[] times = new double[spec.frames()];
    for (int f = 1; f < spec.frames(); f++) times[f] = times[f - 1] + 0.7 + 0.6 * rnd.nextDouble();
    List<Mover> movers = new ArrayList<>();
    for (int i = 0; i < spec.objects(); i++) movers.add(freeMover(rnd, movers.size(), spec, times));
    for (int p = 0; p < spec.crossingPairs(); p++) addCrossingPair(rnd, movers, spec, times);

    List<Frame> frames = new ArrayList<>(spec.frames());
    for (int f = 0; f < spec.frames(); f++) {
      List<Truth> truth = new ArrayList<>();
      List<TrackInput> dets = new ArrayList<>();
      for (Mover m : movers) {
        if (f < m.firstFrame || f > m.lastFrame) continue;
        if (f >= m.occludedFrom && f < m.occludedUntil) continue;
        BoundingBox box = m.boxAt(times[f] - times[m.firstFrame]);
        double cx = (box.x1() + box.x2()) / 2;
        double cy = (box.y1() + box.y2()) / 2;
        if (cx < 0 || cx > WIDTH || cy < 0 || cy > HEIGHT) continue;
        box = box.clip((int) WIDTH, (int) HEIGHT);
        if (box.width() < 4 || box.height() < 4) continue;
        truth.add(new Truth(m.id, m.className, box));
        if (rnd.nextDouble() < spec.missRate()) continue;
        dets.add(new TrackInput(detectedClass(rnd, m.className), confidence(rnd, spec), jittered(rnd, box, spec.jitter())));
      }
      int fps = poisson(rnd, spec.falsePositives());
      for (int k = 0; k < fps; k++) {
        double w = 40 + 160 * rnd.nextDouble();
        double h = 40 + 120 * rnd.nextDouble();
        double x = rnd.nextDouble() * (WIDTH - w);
        double y = rnd.nextDouble() * (HEIGHT - h);
        dets.add(new TrackInput(CLASSES[rnd.nextInt(CLASSES.length)], 0.2 + 0.5 * rnd.nextDouble(),
            new BoundingBox(x, y, x + w, y + h)));
      }
      Collections.shuffle(dets, rnd);
      frames.add(new Frame(T0.plus(Duration.ofNanos((long) (times[f] * 1e9))), truth, dets));
    }
    return frames;
  }

  // One object: starts at a point with a velocity (pixels/second), optionally an acceleration and
  // a turn rate; a parked one has none.
  private static final class Mover {
    int id;
    String className;
    double w;
    double h;
    double x0;
    double y0;
    double vx;
    double vy;
    double ax;
    double ay;
    double turn; // radians per second
    int firstFrame;
    int lastFrame;
    int occludedFrom = -1;
    int occludedUntil = -1;

    BoundingBox boxAt(double t) {
      double cx;
      double cy;
      if (turn != 0) {
        // Circular arc: the velocity turns at a constant rate.
        double th = turn * t;
        cx = x0 + (vx * Math.sin(th) - vy * (1 - Math.cos(th))) / turn;
        cy = y0 + (vy * Math.sin(th) + vx * (1 - Math.cos(th))) / turn;
      } else {
        cx = x0 + vx * t + 0.5 * ax * t * t;
        cy = y0 + vy * t + 0.5 * ay * t * t;
      }
      return new BoundingBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    }
  }

  private static Mover freeMover(Random rnd, int id, Spec spec, double[] times) {
    Mover m = base(rnd, id, CLASSES[rnd.nextInt(CLASSES.length)]);
    m.firstFrame = rnd.nextInt(Math.max(1, spec.frames() - 20));
    m.lastFrame = Math.min(spec.frames() - 1, m.firstFrame + 15 + rnd.nextInt(60));
    m.x0 = m.w + rnd.nextDouble() * (WIDTH - 2 * m.w);
    m.y0 = m.h + rnd.nextDouble() * (HEIGHT - 2 * m.h);
    double motion = rnd.nextDouble();
    // Speed up to 0.35 box widths a second, so that at 1 fps consecutive boxes overlap after the
    // filter has its velocity; people walk slower than cars drive, relative to their width alike.
    double speed = (0.05 + 0.3 * rnd.nextDouble()) * m.w;
    double dir = rnd.nextDouble() * 2 * Math.PI;
    if (motion < 0.15) {
      speed = 0; // parked
    }
    m.vx = speed * Math.cos(dir);
    m.vy = speed * Math.sin(dir) * 0.5;
    if (motion >= 0.55 && motion < 0.75) {
      m.ax = -m.vx / 40; // braking: slows down over ~40 s
      m.ay = -m.vy / 40;
    } else if (motion >= 0.75 && speed > 0) {
      m.turn = (rnd.nextBoolean() ? 1 : -1) * (0.02 + 0.04 * rnd.nextDouble());
    }
    occlude(rnd, m, spec);
    return m;
  }

  private static void addCrossingPair(Random rnd, List<Mover> movers, Spec spec, double[] times) {
    String cls = rnd.nextBoolean() ? "car" : "person";
    Mover a = base(rnd, movers.size(), cls);
    Mover b = base(rnd, movers.size() + 1, cls);
    int first = rnd.nextInt(Math.max(1, spec.frames() - 40));
    int last = Math.min(spec.frames() - 1, first + 30);
    double meetX = WIDTH * (0.3 + 0.4 * rnd.nextDouble());
    double meetY = HEIGHT * (0.3 + 0.4 * rnd.nextDouble());
    double meetT = (times[first + (last - first) / 2] - times[first]);
    double speed = (0.15 + 0.15 * rnd.nextDouble()) * Math.max(a.w, b.w);
    for (Mover m : List.of(a, b)) {
      m.firstFrame = first;
      m.lastFrame = last;
      double sign = m == a ? 1 : -1;
      m.vx = sign * speed;
      m.vy = sign * speed * 0.1;
      m.x0 = meetX - m.vx * meetT;
      m.y0 = meetY - m.vy * meetT + (m == a ? -0.15 : 0.15) * m.h;
      occlude(rnd, m, spec);
      movers.add(m);
    }
  }

  private static Mover base(Random rnd, int id, String cls) {
    Mover m = new Mover();
    m.id = id;
    m.className = cls;
    double scale = 0.7 + 0.6 * rnd.nextDouble();
    double[] size = switch (cls) {
      case "person" -> new double[] {50, 120};
      case "bicycle" -> new double[] {80, 90};
      case "truck" -> new double[] {240, 150};
      case "bus" -> new double[] {300, 170};
      default -> new double[] {170, 100};
    };
    m.w = size[0] * scale;
    m.h = size[1] * scale;
    return m;
  }

  private static void occlude(Random rnd, Mover m, Spec spec) {
    int life = m.lastFrame - m.firstFrame;
    if (life > 10 && rnd.nextDouble() < spec.occlusionRate()) {
      m.occludedFrom = m.firstFrame + 3 + rnd.nextInt(life - 8);
      m.occludedUntil = m.occludedFrom + 2 + rnd.nextInt(3);
    }
  }

  private static String detectedClass(Random rnd, String cls) {
    if (cls.equals("car") && rnd.nextDouble() < 0.05) return "truck";
    if (cls.equals("truck") && rnd.nextDouble() < 0.1) return "car";
    return cls;
  }

  private static double confidence(Random rnd, Spec spec) {
    if (rnd.nextDouble() < spec.lowDipRate()) return 0.15 + 0.3 * rnd.nextDouble();
    return Math.max(0.5, Math.min(0.99, 0.78 + 0.1 * rnd.nextGaussian()));
  }

  private static BoundingBox jittered(Random rnd, BoundingBox b, double jitter) {
    double sx = jitter * b.width();
    double sy = jitter * b.height();
    double x1 = b.x1() + sx * rnd.nextGaussian();
    double y1 = b.y1() + sy * rnd.nextGaussian();
    double x2 = Math.max(x1 + 2, b.x2() + sx * rnd.nextGaussian());
    double y2 = Math.max(y1 + 2, b.y2() + sy * rnd.nextGaussian());
    return new BoundingBox(x1, y1, x2, y2);
  }

  private static int poisson(Random rnd, double mean) {
    double l = Math.exp(-mean);
    int k = 0;
    double p = rnd.nextDouble();
    while (p > l) {
      k++;
      p *= rnd.nextDouble();
    }
    return k;
  }
}
