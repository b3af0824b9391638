package gtvision.camera.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Cheap motion detection for one camera's stream: a running average of the downscaled grayscale
 * picture is the background; a frame has motion when at least {@code minArea} of the unmasked pixels
 * differ from it by more than {@code threshold}. Frames without motion skip analysis, except one every
 * {@code forceEvery} so that a vehicle that stopped in view is still seen. Not thread-safe: one gate
 * per running stream, used by one stage.
 */
public final class MotionGate {

  public record Settings(int threshold, double minArea, Duration forceEvery, double learningRate, int width) {}

  public enum Decision {
    /** The first frame, or enough pixels changed. */
    MOTION,
    /** No motion, but nothing was analysed for forceEvery. */
    FORCED,
    SKIPPED;

    public boolean analyse() {
      return this != SKIPPED;
    }
  }

  private final Settings settings;
  private final List<List<List<Double>>> maskPolygons;
  private float[] background;
  private boolean[] masked;
  private int maskedCount;
  private int width;
  private int height;
  private Instant lastAnalysed;

  public MotionGate(Settings settings, List<List<List<Double>>> maskPolygons) {
    this.settings = settings;
    this.maskPolygons = maskPolygons == null ? List.of() : maskPolygons;
  }

  public Settings settings() {
    return settings;
  }

  public Decision evaluate(GrayImage image, Instant at) {
    Decision decision = compareAndLearn(image);
    if (decision == Decision.SKIPPED && lastAnalysed != null
        && !at.isBefore(lastAnalysed.plus(settings.forceEvery()))) {
      decision = Decision.FORCED;
    }
    if (decision.analyse()) lastAnalysed = at;
    return decision;
  }

  private Decision compareAndLearn(GrayImage image) {
    byte[] pixels = image.pixels();
    if (background == null || image.width() != width || image.height() != height) {
      // First frame, or the camera changed resolution: start a new background.
      width = image.width();
      height = image.height();
      background = new float[pixels.length];
      for (int i = 0; i < pixels.length; i++) background[i] = pixels[i] & 0xFF;
      rasteriseMask();
      return Decision.MOTION;
    }
    int changed = 0;
    float rate = (float) settings.learningRate();
    int threshold = settings.threshold();
    for (int i = 0; i < pixels.length; i++) {
      float value = pixels[i] & 0xFF;
      if (!masked[i] && Math.abs(value - background[i]) > threshold) changed++;
      background[i] += (value - background[i]) * rate;
    }
    int considered = pixels.length - maskedCount;
    if (considered <= 0) return Decision.SKIPPED;
    return (double) changed / considered >= settings.minArea() ? Decision.MOTION : Decision.SKIPPED;
  }

  /** Marks the pixels whose centre lies inside any mask polygon (even-odd rule, normalised 0..1 points). */
  private void rasteriseMask() {
    masked = new boolean[width * height];
    maskedCount = 0;
    if (maskPolygons.isEmpty()) return;
    for (int y = 0; y < height; y++) {
      double py = (y + 0.5) / height;
      for (int x = 0; x < width; x++) {
        double px = (x + 0.5) / width;
        for (List<List<Double>> polygon : maskPolygons) {
          if (inside(polygon, px, py)) {
            masked[y * width + x] = true;
            maskedCount++;
            break;
          }
        }
      }
    }
  }

  static boolean inside(List<List<Double>> polygon, double x, double y) {
    boolean in = false;
    for (int i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
      double xi = polygon.get(i).get(0);
      double yi = polygon.get(i).get(1);
      double xj = polygon.get(j).get(0);
      double yj = polygon.get(j).get(1);
      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
    }
    return in;
  }
}
