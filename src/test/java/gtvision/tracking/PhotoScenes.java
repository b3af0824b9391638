package gtvision.tracking;

import gtvision.inference.BoundingBox;
import gtvision.inference.DetectOptions;
import gtvision.inference.Detection;
import gtvision.inference.DetectionResult;
import gtvision.inference.Detector;
import gtvision.inference.ImageInput;
import gtvision.testsupport.MediaTools;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Video made of the shared test photos (../shared/testdata/images) moved across a 1920x1080 canvas at
 * about one frame a second, for measuring the tracker behind the real detector. Photos travel along
 * two horizontal lanes, entering at one edge and leaving at the other, then coming back later as new
 * objects; in each lane three photos go, not all the same way, so they cross and the one in front hides
 * the other; a pillar in front of the upper lane hides whatever passes behind it.
 *
 * <p>Ground truth is per object, not per photo: a photo holds several objects (dog.jpg a dog, a bicycle
 * and a car), so a photo's box is nobody's box. Each object's box in its photo is the one
 * testdata/images/README.md gives (the reference detection on the unmodified photo, which fits the
 * object), moved and scaled exactly as the photo is, so the usual IoU 0.5 match stays right. Per frame
 * an object is
 *
 * <ul>
 *   <li><b>counted</b> when at least half of its box is in the picture and not covered (by a photo in
 *       front or the pillar) and its clipped box is at least {@value #MIN_SIDE} px on its shorter side;
 *       its truth box is then its whole box clipped to the picture (partly covered boxes stay whole, as
 *       in MOT17);
 *   <li><b>ignored</b> when some of it shows but less than that (or it is smaller): a detection of it
 *       is neither a hit nor a false positive (MotScorer drops detections that lie mostly inside an
 *       ignored box and match no counted one);
 *   <li>absent otherwise.
 * </ul>
 *
 * {@value #MIN_SIDE} px because the detector sees the 1920-wide picture at 416 px: a 40 px side is 9 px
 * there, about one cell of YOLOX's finest (stride 8) grid; smaller objects are no test of the tracker.
 * The zebra the model finds on the giraffe's body is not an object here: it is a real detector error.
 */
public final class PhotoScenes {

  static final int WIDTH = 1920;
  static final int HEIGHT = 1080;
  static final int MIN_SIDE = 40;
  static final double MIN_VISIBLE = 0.5;
  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
  // The pillar: in front of the upper lane only.
  static final BoundingBox PILLAR = new BoundingBox(1280, 0, 1370, 600);
  private static final int[] LANE_CENTRE = {290, 790};

  record RefObject(String className, BoundingBox box) {}

  /** A photo, the height it is shown at (before per-pass jitter) and its objects in photo pixels. */
  record Photo(String file, int height, List<RefObject> objects) {}

  // Boxes from testdata/images/README.md (rows with score >= 0.5, minus the zebra and the cow, which
  // are the detector's mistakes on the giraffe and on the third horse).
  static final List<Photo> PHOTOS = List.of(
      new Photo("dog.jpg", 500, List.of(new RefObject("dog", new BoundingBox(133, 207, 326, 543)),
          new RefObject("bicycle", new BoundingBox(57, 137, 572, 423)),
          new RefObject("car", new BoundingBox(466, 78, 692, 171)))),
      new Photo("person.jpg", 460, List.of(new RefObject("person", new BoundingBox(189, 97, 277, 374)),
          new RefObject("horse", new BoundingBox(403, 138, 603, 345)),
          new RefObject("dog", new BoundingBox(61, 264, 201, 350)))),
      new Photo("horses.jpg", 460, List.of(new RefObject("horse", new BoundingBox(0, 187, 337, 411)),
          new RefObject("horse", new BoundingBox(239, 171, 440, 362)),
          new RefObject("horse", new BoundingBox(440, 212, 597, 348)))),
      new Photo("giraffe.jpg", 480, List.of(new RefObject("giraffe", new BoundingBox(167, 30, 449, 433)))),
      new Photo("kite.jpg", 640, List.of(new RefObject("kite", new BoundingBox(591, 77, 673, 155)),
          new RefObject("person", new BoundingBox(112, 608, 167, 763)),
          new RefObject("person", new BoundingBox(210, 685, 276, 868)),
          new RefObject("kite", new BoundingBox(276, 233, 305, 281)),
          new RefObject("person", new BoundingBox(80, 509, 110, 567)))),
      new Photo("eagle.jpg", 420, List.of(new RefObject("bird", new BoundingBox(139, 81, 603, 449)))));

  public record Truth(int objectId, String className, BoundingBox box) {}

  /** One rendered frame: the JPEG the camera would send, its counted and its ignored objects. */
  public record Frame(Instant capturedAt, byte[] jpeg, List<Truth> truth, List<BoundingBox> ignored) {}

  /**
   * @param frames frames in the scene
   * @param jpegQuality 0-1
   * @param minSpeed slowest photo, pixels per second
   * @param maxSpeed fastest photo
   */
  public record Spec(int frames, float jpegQuality, double minSpeed, double maxSpeed) {

    /**
     * Walking pace: 15-40 px/s, objects move at most about half their width between frames, the regime
     * the tracker's IoU matching is made for (as SceneGenerator's standard scenes).
     */
    public static Spec slow(int frames) {
      return new Spec(frames, 0.85f, 15, 40);
    }

    /**
     * 80-160 px/s: most objects move more than their width between frames, what a passing car or a
     * walker near the camera does at 1 fps.
     */
    public static Spec fast(int frames) {
      return new Spec(frames, 0.85f, 80, 160);
    }
  }

  // One pass of a photo across the picture: from off one edge to off the other at a constant speed.
  private record Pass(int id, int photo, int lane, int z, double t0, double x0, double vx, double scale, int dy) {
    double left(double t) {
      return x0 + vx * (t - t0);
    }
  }

  private PhotoScenes() {}

  public static List<Frame> generate(long seed, Spec spec) {
    Random rnd = new Random(seed);
    List<BufferedImage> images = new ArrayList<>();
    for (Photo p : PHOTOS) images.add(read(p.file()));
    double[] times = new double[spec.frames()];
    for (int f = 1; f < spec.frames(); f++) times[f] = times[f - 1] + 0.8 + 0.4 * rnd.nextDouble();
    double end = times[spec.frames() - 1];

    // Each photo has a lane and a direction; its lane partner goes the other way. A photo re-enters
    // some seconds after it left, from either side.
    int[] order = {0, 1, 2, 3, 4, 5};
    for (int i = order.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    List<Pass> passes = new ArrayList<>();
    for (int slot = 0; slot < 6; slot++) {
      int photo = order[slot];
      int lane = slot % 2;
      boolean rightwards = slot % 4 < 2;
      boolean first = true;
      double t = 0;
      while (t < end) {
        double scale = PHOTOS.get(photo).height() * (0.9 + 0.2 * rnd.nextDouble()) / images.get(photo).getHeight();
        double w = images.get(photo).getWidth() * scale;
        double speed = spec.minSpeed() + (spec.maxSpeed() - spec.minSpeed()) * rnd.nextDouble();
        double crossing = (WIDTH + w) / speed;
        // The first pass of each photo is under way when the scene starts (or starts soon after).
        if (first) t = (rnd.nextDouble() - 0.8) * crossing;
        first = false;
        double x0 = rightwards ? -w : WIDTH;
        int dy = rnd.nextInt(41) - 20;
        passes.add(new Pass(passes.size(), photo, lane, 0, t, x0, rightwards ? speed : -speed, scale, dy));
        t += crossing + 3 + 7 * rnd.nextDouble();
        if (rnd.nextDouble() < 0.4) rightwards = !rightwards;
      }
    }
    // Lower lanes are nearer the camera (drawn later, in front); within a lane the later pass is in front.
    List<Pass> drawOrder = new ArrayList<>(passes);
    drawOrder.sort(Comparator.comparingInt(Pass::lane).thenComparingInt(Pass::id));

    Map<Integer, BufferedImage> scaled = new HashMap<>();
    BufferedImage background = background(rnd);
    List<Frame> frames = new ArrayList<>(spec.frames());
    for (int f = 0; f < spec.frames(); f++) {
      double t = times[f];
      List<Placed> placed = new ArrayList<>();
      for (Pass p : drawOrder) {
        if (t < p.t0()) continue;
        BufferedImage img = scaled.computeIfAbsent(p.id(), k -> scale(images.get(p.photo()), p.scale()));
        int x = (int) Math.round(p.left(t));
        if (x >= WIDTH || x + img.getWidth() <= 0) continue;
        int y = LANE_CENTRE[p.lane()] + p.dy() - img.getHeight() / 2;
        placed.add(new Placed(p, img, x, y));
      }
      BufferedImage canvas = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = canvas.createGraphics();
      g.drawImage(background, 0, 0, null);
      for (Placed pl : placed) g.drawImage(pl.img(), pl.x(), pl.y(), null);
      g.setColor(new Color(70, 64, 60));
      g.fillRect((int) PILLAR.x1(), (int) PILLAR.y1(), (int) PILLAR.width(), (int) PILLAR.height());
      g.setColor(new Color(90, 84, 78));
      g.fillRect((int) PILLAR.x1() + 20, (int) PILLAR.y1(), 25, (int) PILLAR.height());
      g.dispose();

      List<Truth> truth = new ArrayList<>();
      List<BoundingBox> ignored = new ArrayList<>();
      for (int i = 0; i < placed.size(); i++) {
        Placed pl = placed.get(i);
        List<RefObject> objects = PHOTOS.get(pl.pass().photo()).objects();
        for (int o = 0; o < objects.size(); o++) {
          RefObject ref = objects.get(o);
          double s = pl.pass().scale();
          BoundingBox box = new BoundingBox(pl.x() + ref.box().x1() * s, pl.y() + ref.box().y1() * s,
              pl.x() + ref.box().x2() * s, pl.y() + ref.box().y2() * s);
          double visible = visible(box, placed.subList(i + 1, placed.size()));
          if (visible <= 0) continue;
          BoundingBox clipped = box.clip(WIDTH, HEIGHT);
          if (visible >= MIN_VISIBLE && Math.min(clipped.width(), clipped.height()) >= MIN_SIDE) {
            truth.add(new Truth(pl.pass().id() * 10 + o, ref.className(), clipped));
          } else {
            ignored.add(clipped);
          }
        }
      }
      frames.add(new Frame(T0.plus(Duration.ofNanos((long) (t * 1e9))), jpeg(canvas, spec.jpegQuality()), truth,
          ignored));
    }
    return frames;
  }

  private record Placed(Pass pass, BufferedImage img, int x, int y) {}

  // The fraction of the box inside the picture and not under a photo in front or the pillar, on a 4 px grid.
  private static double visible(BoundingBox box, List<Placed> inFront) {
    int seen = 0;
    int all = 0;
    for (double y = box.y1() + 2; y < box.y2(); y += 4) {
      for (double x = box.x1() + 2; x < box.x2(); x += 4) {
        all++;
        if (x < 0 || x >= WIDTH || y < 0 || y >= HEIGHT || PILLAR.contains(x, y)) continue;
        boolean covered = false;
        for (Placed p : inFront) {
          if (x >= p.x() && x < p.x() + p.img().getWidth() && y >= p.y() && y < p.y() + p.img().getHeight()) {
            covered = true;
            break;
          }
        }
        if (!covered) seen++;
      }
    }
    return all == 0 ? 0 : (double) seen / all;
  }

  /**
   * Each frame's detections from a real detector, as the tracker takes them. The detector's own
   * threshold decides what comes through (run it at the tracker's low threshold to feed both passes).
   */
  public static List<List<TrackInput>> detect(Detector detector, List<Frame> frames) {
    List<List<TrackInput>> out = new ArrayList<>(frames.size());
    int batch = 4;
    for (int i = 0; i < frames.size(); i += batch) {
      List<ImageInput> inputs = new ArrayList<>();
      for (Frame f : frames.subList(i, Math.min(frames.size(), i + batch))) inputs.add(ImageInput.encoded(f.jpeg()));
      List<DetectionResult> results = detector.detect(inputs, DetectOptions.DEFAULT).toCompletableFuture().join();
      for (DetectionResult r : results) {
        List<TrackInput> dets = new ArrayList<>();
        for (Detection d : r.detections()) {
          if (d.box().width() > 0 && d.box().height() > 0) dets.add(new TrackInput(d.className(), d.confidence(), d.box()));
        }
        out.add(dets);
      }
    }
    return out;
  }

  /** Only the detections at or above {@code minConfidence}: the same detector run at that threshold. */
  public static List<List<TrackInput>> atLeast(List<List<TrackInput>> detections, double minConfidence) {
    return detections.stream().map(ds -> ds.stream().filter(d -> d.confidence() >= minConfidence).toList()).toList();
  }

  /** The tracker over the frames' detections, scored against their truth (see {@link MotScorer}). */
  public static MotScorer.Scores score(Tracker tracker, List<Frame> frames, List<List<TrackInput>> detections) {
    MotScorer scorer = new MotScorer();
    for (int f = 0; f < frames.size(); f++) {
      List<TrackInput> dets = detections.get(f);
      TrackUpdate u = tracker.update(frames.get(f).capturedAt(), dets);
      List<MotScorer.Box> hyps = new ArrayList<>();
      for (int i = 0; i < dets.size(); i++) {
        if (u.trackIds().get(i).isPresent()) hyps.add(new MotScorer.Box(u.trackIds().get(i).getAsLong(), dets.get(i).box()));
      }
      scorer.frame(truthBoxes(frames.get(f)), frames.get(f).ignored(), hyps);
    }
    return scorer.scores();
  }

  /**
   * The detector alone, as if an oracle tracker labelled every detection right: its misses and false
   * positives bound what any tracker can reach on these detections (MOTA at most 1 - (FN + FP) / truth).
   */
  public static MotScorer.Scores detectorOnly(List<Frame> frames, List<List<TrackInput>> detections) {
    MotScorer scorer = new MotScorer();
    long next = 1;
    for (int f = 0; f < frames.size(); f++) {
      List<MotScorer.Box> hyps = new ArrayList<>();
      for (TrackInput d : detections.get(f)) hyps.add(new MotScorer.Box(next++, d.box()));
      scorer.frame(truthBoxes(frames.get(f)), frames.get(f).ignored(), hyps);
    }
    return scorer.scores();
  }

  private static List<MotScorer.Box> truthBoxes(Frame f) {
    List<MotScorer.Box> truth = new ArrayList<>();
    for (Truth t : f.truth()) truth.add(new MotScorer.Box(t.objectId(), t.box()));
    return truth;
  }

  // A still street-grey background with a horizon and mild texture, the same in every frame.
  private static BufferedImage background(Random rnd) {
    BufferedImage bg = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < HEIGHT; y++) {
      int base = y < 380 ? 150 + y / 20 : 95 + (y - 380) / 14;
      for (int x = 0; x < WIDTH; x++) {
        int v = Math.max(0, Math.min(255, base + (int) (6 * rnd.nextGaussian())));
        bg.setRGB(x, y, new Color(v, v, Math.min(255, v + 8)).getRGB());
      }
    }
    return bg;
  }

  private static BufferedImage read(String file) {
    Path p = MediaTools.image(file);
    try {
      BufferedImage img = ImageIO.read(p.toFile());
      if (img == null) throw new IllegalStateException("not an image ImageIO reads: " + p);
      return img;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BufferedImage scale(BufferedImage src, double s) {
    int w = (int) Math.round(src.getWidth() * s);
    int h = (int) Math.round(src.getHeight() * s);
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  private static byte[] jpeg(BufferedImage img, float quality) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.write(null, new IIOImage(img, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
