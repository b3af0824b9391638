package gtvision.inference;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC2;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.mean;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgproc.CHAIN_APPROX_SIMPLE;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.RETR_LIST;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.fillConvexPoly;
import static org.bytedeco.opencv.global.opencv_imgproc.findContours;
import static org.bytedeco.opencv.global.opencv_imgproc.getPerspectiveTransform;
import static org.bytedeco.opencv.global.opencv_imgproc.minAreaRect;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;
import static org.bytedeco.opencv.global.opencv_imgproc.warpPerspective;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RotatedRect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size2f;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Licence plates from a vehicle crop with PaddleOCR PP-OCRv4: DB text detection finds text lines,
 * each line is rectified and read by the CTC recogniser, and a line counts as a plate only when its
 * normalised text matches a configured pattern with enough confidence. Nothing matches: no plate.
 *
 * <p>Thread-safe: ONNX Runtime sessions accept concurrent {@code run} calls, everything else is
 * per call.
 */
public final class PlateReader implements AutoCloseable {

  /** See gtv.inference.plates in inference.conf. */
  public record Settings(
      Path modelDir, PlatePatterns patterns, double minConfidence, String device, int intraOpThreads) {}

  /** One recognised text line, before validation. */
  public record TextLine(String text, double confidence, BoundingBox box) {}

  // DB post-processing, PaddleOCR defaults.
  private static final double DB_THRESHOLD = 0.3;
  private static final double BOX_THRESHOLD = 0.6;
  private static final double UNCLIP_RATIO = 1.5;
  // Detection input: the long side scaled to this (small crops are enlarged so plate text is not
  // a few pixels high), rounded to a multiple of 32.
  private static final int DET_LONG_SIDE = 640;
  private static final int REC_HEIGHT = 48;
  private static final int REC_MIN_WIDTH = 320;
  private static final double[] DET_MEAN = {0.485, 0.456, 0.406};
  private static final double[] DET_STD = {0.229, 0.224, 0.225};

  private final Settings settings;
  private final OrtEnvironment env;
  private final OrtSession det;
  private final OrtSession rec;
  private final String detInput;
  private final String recInput;
  private final List<String> alphabet; // index 0 = CTC blank, last = space
  private final Map<String, Integer> index;

  private PlateReader(Settings settings, OrtEnvironment env, OrtSession det, OrtSession rec, List<String> alphabet) {
    this.settings = settings;
    this.env = env;
    this.det = det;
    this.rec = rec;
    this.detInput = det.getInputNames().iterator().next();
    this.recInput = rec.getInputNames().iterator().next();
    this.alphabet = alphabet;
    Map<String, Integer> idx = new HashMap<>();
    for (int i = 1; i < alphabet.size(); i++) idx.putIfAbsent(alphabet.get(i), i);
    this.index = Map.copyOf(idx);
  }

  /** @throws ModelLoadException when a model file or the dictionary is missing or invalid */
  public static PlateReader load(Settings settings) {
    Path dir = settings.modelDir().toAbsolutePath().normalize();
    Path detPath = dir.resolve("ch_PP-OCRv4_det_infer.onnx");
    Path recPath = dir.resolve("ch_PP-OCRv4_rec_infer.onnx");
    Path keysPath = dir.resolve("ppocr_keys_v1.txt");
    for (Path p : List.of(detPath, recPath, keysPath)) {
      if (!Files.isRegularFile(p)) {
        throw new ModelLoadException(
            "plate OCR file not found: " + p + " (set gtv.inference.plates.model-dir or GTV_OCR_MODEL_DIR)");
      }
    }
    List<String> alphabet = new ArrayList<>();
    alphabet.add(""); // CTC blank
    try {
      alphabet.addAll(Files.readAllLines(keysPath, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ModelLoadException("cannot read OCR dictionary " + keysPath, e);
    }
    alphabet.add(" ");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession det = null;
    try (OrtSession.SessionOptions o =
        OnnxSessions.options(settings.device(), settings.intraOpThreads())) {
      det = open(env, detPath, o);
      OrtSession rec = open(env, recPath, o);
      long classes = ((TensorInfo) rec.getOutputInfo().values().iterator().next().getInfo()).getShape()[2];
      if (classes != alphabet.size()) {
        rec.close();
        throw new ModelLoadException(
            "OCR recogniser " + recPath + " has " + classes + " classes, dictionary " + keysPath
                + " gives " + alphabet.size());
      }
      return new PlateReader(settings, env, det, rec, List.copyOf(alphabet));
    } catch (OrtException e) {
      throw new ModelLoadException("cannot load plate OCR models from " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (det != null) {
        try {
          det.close();
        } catch (OrtException ignored) {
          // reporting the original failure matters more
        }
      }
      throw e;
    }
  }

  private static OrtSession open(OrtEnvironment env, Path p, OrtSession.SessionOptions o) {
    try {
      return env.createSession(p.toString(), o);
    } catch (OrtException e) {
      throw new ModelLoadException("OCR model " + p + " is not a valid ONNX model: " + e.getMessage(), e);
    }
  }

  /** The best line that is a plate, or empty: unreadable plates are never guessed. */
  public Optional<Plate> read(Mat bgr) {
    Optional<Plate> best = Optional.empty();
    for (Recognised line : recogniseAll(bgr)) {
      Optional<Plate> p = asPlate(line);
      if (p.isPresent() && (best.isEmpty() || p.get().confidence() > best.get().confidence())) best = p;
    }
    return best;
  }

  /**
   * The line's text when it matches a pattern as read; otherwise the template reading: per
   * position, the most probable character that the plate format allows at that position, each with
   * at least {@link #MIN_CHAR_PROBABILITY} in the recogniser's own output.
   */
  private Optional<Plate> asPlate(Recognised line) {
    Optional<String> literal = settings.patterns().match(line.text);
    if (literal.isPresent()) {
      return line.confidence >= settings.minConfidence()
          ? Optional.of(new Plate(literal.get(), line.confidence))
          : Optional.empty();
    }
    List<float[]> chars = new ArrayList<>();
    List<String> readChars = new ArrayList<>();
    for (int i = 0; i < line.chars.size(); i++) {
      if (!PlatePatterns.isSeparator(line.chars.get(i))) {
        chars.add(line.peaks.get(i));
        readChars.add(line.chars.get(i));
      }
    }
    // Fewest look-alike substitutions wins, then confidence: "RS0-8011" is the old format with one
    // substitution (RSO8011), not Mercosul with two (RSO8O11).
    Optional<Plate> best = Optional.empty();
    int bestSubstitutions = Integer.MAX_VALUE;
    for (List<Set<Character>> template : settings.patterns().templates()) {
      if (template.size() != chars.size()) continue;
      StringBuilder text = new StringBuilder();
      double sum = 0;
      int substitutions = 0;
      boolean plausible = true;
      for (int i = 0; i < template.size() && plausible; i++) {
        char bestChar = 0;
        double bestP = -1;
        for (char c : template.get(i)) {
          double p = probability(chars.get(i), c);
          if (p > bestP) {
            bestP = p;
            bestChar = c;
          }
        }
        if (bestP < MIN_CHAR_PROBABILITY) {
          // The recogniser is sure of a glyph the format forbids here: accept only its printed
          // look-alike (0/O, 1/I, 2/Z, 5/S, 6/G, 8/B), with the probability of what was read.
          String n = PlatePatterns.normalise(readChars.get(i));
          char read = n.length() == 1 ? n.charAt(0) : 0;
          Character alike = LOOK_ALIKES.get(read);
          if (alike != null && template.get(i).contains(alike)) {
            bestChar = alike;
            bestP = probability(chars.get(i), read);
            substitutions++;
          }
        }
        plausible = bestP >= MIN_CHAR_PROBABILITY;
        text.append(bestChar);
        sum += bestP;
      }
      double confidence = sum / template.size();
      boolean better = substitutions < bestSubstitutions
          || (substitutions == bestSubstitutions && confidence > best.map(Plate::confidence).orElse(-1.0));
      if (plausible && confidence >= settings.minConfidence() && settings.patterns().match(text.toString()).isPresent()
          && better) {
        best = Optional.of(new Plate(text.toString(), confidence));
        bestSubstitutions = substitutions;
      }
    }
    return best;
  }

  /** Probability of a character at a step, upper and lower case together. */
  private double probability(float[] distribution, char c) {
    double p = 0;
    Integer upper = index.get(String.valueOf(Character.toUpperCase(c)));
    Integer lower = index.get(String.valueOf(Character.toLowerCase(c)));
    if (upper != null) p += distribution[upper];
    if (lower != null && !lower.equals(upper)) p += distribution[lower];
    return p;
  }

  /** All text lines found in the image, raw OCR text; for diagnostics and tests. */
  public List<TextLine> readLines(Mat bgr) {
    return recogniseAll(bgr).stream().map(r -> new TextLine(r.text, r.confidence, r.box)).toList();
  }

  private List<Recognised> recogniseAll(Mat bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3) throw new InvalidImageException("expected an 8-bit BGR image");
    try (PointerScope scope = new PointerScope()) {
      List<Recognised> lines = new ArrayList<>();
      for (RotatedRect box : detectBoxes(bgr)) {
        Mat line = rectify(bgr, box);
        if (line.rows() < 4 || line.cols() < 4) continue;
        Rect b = box.boundingRect();
        lines.add(recognise(line, new BoundingBox(b.x(), b.y(), b.x() + b.width(), b.y() + b.height())));
      }
      lines.sort(Comparator.comparingDouble((Recognised l) -> l.box.y1()));
      return lines;
    } catch (OrtException e) {
      throw new IllegalStateException("plate OCR failed: " + e.getMessage(), e);
    }
  }

  /** DB detection: probability map, threshold, contours, min-area boxes, unclip; in image pixels. */
  private List<RotatedRect> detectBoxes(Mat bgr) throws OrtException {
    double scale = (double) DET_LONG_SIDE / Math.max(bgr.cols(), bgr.rows());
    int w = Math.max(32, (int) Math.round(bgr.cols() * scale / 32) * 32);
    int h = Math.max(32, (int) Math.round(bgr.rows() * scale / 32) * 32);
    Mat resized = new Mat();
    resize(bgr, resized, new Size(w, h), 0, 0, INTER_LINEAR);
    FloatBuffer input = direct(3 * w * h);
    packChw(resized, input, h, w, DET_MEAN, DET_STD);
    float[] prob;
    try (OnnxTensor t = OnnxTensor.createTensor(env, input, new long[] {1, 3, h, w});
        OrtSession.Result r = det.run(Map.of(detInput, t))) {
      FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
      prob = new float[fb.remaining()];
      fb.get(prob);
    }
    Mat probMap = new Mat(h, w, CV_32FC1, new FloatPointer(prob));
    Mat bin = new Mat();
    threshold(probMap, bin, DB_THRESHOLD, 255, THRESH_BINARY);
    Mat bin8 = new Mat();
    bin.convertTo(bin8, CV_8U);
    MatVector contours = new MatVector();
    findContours(bin8, contours, RETR_LIST, CHAIN_APPROX_SIMPLE);
    double sx = (double) bgr.cols() / w;
    double sy = (double) bgr.rows() / h;
    List<RotatedRect> boxes = new ArrayList<>();
    for (long i = 0; i < contours.size(); i++) {
      Mat contour = contours.get(i);
      RotatedRect r = minAreaRect(contour);
      if (Math.min(r.size().width(), r.size().height()) < 3) continue;
      if (meanInside(probMap, r) < BOX_THRESHOLD) continue;
      float rw = r.size().width();
      float rh = r.size().height();
      double d = rw * rh * UNCLIP_RATIO / (2 * (rw + rh)); // PaddleOCR's unclip distance
      float ew = (float) (rw + 2 * d);
      float eh = (float) (rh + 2 * d);
      if (Math.min(ew, eh) < 5) continue;
      // Back to source pixels; the angle is kept (both axes are scaled by almost the same factor).
      Point2f c = new Point2f((float) (r.center().x() * sx), (float) (r.center().y() * sy));
      boxes.add(new RotatedRect(c, new Size2f((float) (ew * sx), (float) (eh * sy)), r.angle()));
    }
    return boxes;
  }

  /**
   * Mean probability inside the box polygon (PaddleOCR's "fast" box score). The mean over the
   * upright bounding rectangle would count background around a slightly rotated line and drop
   * long plates below the threshold.
   */
  private static double meanInside(Mat prob, RotatedRect box) {
    Rect b = box.boundingRect();
    int x0 = Math.max(0, b.x());
    int y0 = Math.max(0, b.y());
    int x1 = Math.min(prob.cols(), b.x() + b.width());
    int y1 = Math.min(prob.rows(), b.y() + b.height());
    if (x1 <= x0 || y1 <= y0) return 0;
    Mat mask = new Mat(y1 - y0, x1 - x0, CV_8U, new Scalar(0));
    Point2f corners = new Point2f(4);
    box.points(corners);
    int[] xy = new int[8];
    for (int i = 0; i < 4; i++) {
      xy[2 * i] = Math.round(corners.position(i).x()) - x0;
      xy[2 * i + 1] = Math.round(corners.position(i).y()) - y0;
    }
    Point poly = new Point(4);
    for (int i = 0; i < 4; i++) poly.position(i).x(xy[2 * i]).y(xy[2 * i + 1]);
    poly.position(0);
    fillConvexPoly(mask, poly, 4, new Scalar(255));
    return mean(prob.apply(new Rect(x0, y0, x1 - x0, y1 - y0)), mask).get(0);
  }

  /** Perspective-crops a rotated text box to an upright line image. */
  private static Mat rectify(Mat bgr, RotatedRect box) {
    Point2f pts = new Point2f(4);
    box.points(pts);
    float[] p = new float[8];
    for (int i = 0; i < 4; i++) {
      p[2 * i] = pts.position(i).x();
      p[2 * i + 1] = pts.position(i).y();
    }
    pts.position(0);
    float[][] q = order(p);
    double width = Math.max(dist(q[0], q[1]), dist(q[3], q[2]));
    double height = Math.max(dist(q[0], q[3]), dist(q[1], q[2]));
    int w = Math.max(1, (int) Math.round(width));
    int h = Math.max(1, (int) Math.round(height));
    Mat src = new Mat(4, 1, CV_32FC2,
        new FloatPointer(q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]));
    Mat dst = new Mat(4, 1, CV_32FC2,
        new FloatPointer(0, 0, w, 0, w, h, 0, h));
    Mat m = getPerspectiveTransform(src, dst);
    Mat out = new Mat();
    warpPerspective(bgr, out, m, new Size(w, h), INTER_CUBIC, BORDER_REPLICATE, new Scalar());
    if (h >= 1.5 * w) { // vertical text: PaddleOCR rotates it to read left to right
      Mat rotated = new Mat();
      rotate(out, rotated, ROTATE_90_COUNTERCLOCKWISE);
      return rotated;
    }
    return out;
  }

  /** Orders 4 corners as top-left, top-right, bottom-right, bottom-left. */
  private static float[][] order(float[] p) {
    float[][] pts = {{p[0], p[1]}, {p[2], p[3]}, {p[4], p[5]}, {p[6], p[7]}};
    Arrays.sort(pts, Comparator.comparingDouble(a -> a[0]));
    float[][] left = {pts[0], pts[1]};
    float[][] right = {pts[2], pts[3]};
    Arrays.sort(left, Comparator.comparingDouble(a -> a[1]));
    Arrays.sort(right, Comparator.comparingDouble(a -> a[1]));
    return new float[][] {left[0], right[0], right[1], left[1]};
  }

  private static double dist(float[] a, float[] b) {
    return Math.hypot(a[0] - b[0], a[1] - b[1]);
  }

  /**
   * A recognised line: text, mean character probability, and per emitted character its string and
   * the full class distribution at its most confident step (for pattern-guided reading).
   */
  private record Recognised(String text, double confidence, BoundingBox box, List<String> chars, List<float[]> peaks) {}

  private static final Map<Character, Character> LOOK_ALIKES =
      Map.ofEntries(
          Map.entry('0', 'O'), Map.entry('O', '0'), Map.entry('1', 'I'), Map.entry('I', '1'),
          Map.entry('2', 'Z'), Map.entry('Z', '2'), Map.entry('5', 'S'), Map.entry('S', '5'),
          Map.entry('6', 'G'), Map.entry('G', '6'), Map.entry('8', 'B'), Map.entry('B', '8'));

  /** Below this, a character is not considered a reading of the position at all. */
  static final double MIN_CHAR_PROBABILITY = 0.02;

  /** CTC recognition of one line: height 48, width by aspect (at least 320, zero padded). */
  private Recognised recognise(Mat line, BoundingBox box) throws OrtException {
    int rw = Math.max(1, (int) Math.ceil(REC_HEIGHT * (double) line.cols() / line.rows()));
    int width = Math.max(REC_MIN_WIDTH, rw);
    Mat resized = new Mat();
    resize(line, resized, new Size(rw, REC_HEIGHT), 0, 0, INTER_LINEAR);
    FloatBuffer input = direct(3 * REC_HEIGHT * width);
    // (x / 255 - 0.5) / 0.5 per channel, into the left rw columns; the padding stays 0.
    packChwPadded(resized, input, REC_HEIGHT, width);
    try (OnnxTensor t = OnnxTensor.createTensor(env, input, new long[] {1, 3, REC_HEIGHT, width});
        OrtSession.Result r = rec.run(Map.of(recInput, t))) {
      OnnxTensor out = (OnnxTensor) r.get(0);
      long[] shape = out.getInfo().getShape();
      int steps = (int) shape[1];
      int classes = (int) shape[2];
      FloatBuffer fb = out.getFloatBuffer();
      float[] all = new float[fb.remaining()];
      fb.get(all);
      // Greedy CTC: best class per step, repeats collapsed, blanks dropped.
      StringBuilder text = new StringBuilder();
      List<String> chars = new ArrayList<>();
      List<float[]> peaks = new ArrayList<>();
      double sum = 0;
      int previous = -1;
      float runPeak = -1;
      for (int s = 0; s < steps; s++) {
        int best = 0;
        float bestP = -1;
        int base = s * classes;
        for (int c = 0; c < classes; c++) {
          if (all[base + c] > bestP) {
            bestP = all[base + c];
            best = c;
          }
        }
        if (best != 0 && best != previous) { // a new character starts
          text.append(alphabet.get(best));
          chars.add(alphabet.get(best));
          peaks.add(Arrays.copyOfRange(all, base, base + classes));
          sum += bestP;
          runPeak = bestP;
        } else if (best != 0 && bestP > runPeak) { // same character, more confident step
          peaks.set(peaks.size() - 1, Arrays.copyOfRange(all, base, base + classes));
          sum += bestP - runPeak;
          runPeak = bestP;
        }
        previous = best;
      }
      return new Recognised(text.toString(), chars.isEmpty() ? 0 : sum / chars.size(), box, chars, peaks);
    }
  }

  private static FloatBuffer direct(int floats) {
    return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** BGR uint8 HWC to normalised float CHW: (x / 255 - mean) / std, one convertTo per channel. */
  private static void packChw(Mat bgr, FloatBuffer dst, int h, int w, double[] mean, double[] std) {
    MatVector ch = new MatVector(3);
    split(bgr, ch);
    for (int c = 0; c < 3; c++) {
      Mat target = new Mat(h, w, CV_32FC1, Images.floatView(dst, c * h * w));
      ch.get(c).convertTo(target, CV_32F, 1.0 / (255 * std[c]), -mean[c] / std[c]);
    }
  }

  private static void packChwPadded(Mat bgr, FloatBuffer dst, int h, int width) {
    MatVector ch = new MatVector(3);
    split(bgr, ch);
    int w = bgr.cols();
    for (int c = 0; c < 3; c++) {
      // A view of the plane with the full row stride, so only the first w columns are written.
      Mat plane = new Mat(h, width, CV_32FC1, Images.floatView(dst, c * h * width));
      Mat target = plane.apply(new Rect(0, 0, w, h));
      ch.get(c).convertTo(target, CV_32F, 2.0 / 255, -1.0);
    }
  }

  @Override
  public void close() {
    try {
      det.close();
      rec.close();
    } catch (OrtException ignored) {
      // shutting down: nothing left to do with a failed close
    }
  }
}
