package gtvision.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;
import static org.bytedeco.opencv.global.opencv_imgproc.CHAIN_APPROX_SIMPLE;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.RETR_LIST;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.boundingRect;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RotatedRect;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_core.Size2f;

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

  private PlateReader(Settings settings, OrtEnvironment env, OrtSession det, OrtSession rec, List<String> alphabet) {
    this.settings = settings;
    this.env = env;
    this.det = det;
    this.rec = rec;
    this.detInput = det.getInputNames().iterator().next();
    this.recInput = rec.getInputNames().iterator().next();
    this.alphabet = alphabet;
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
        YoloxOnnxDetector.sessionOptions(settings.device(), settings.intraOpThreads())) {
      det = open(env, detPath, o);
      OrtSession rec = open(env, recPath, o);
      long classes = ((ai.onnxruntime.TensorInfo) rec.getOutputInfo().values().iterator().next().getInfo()).getShape()[2];
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
    for (TextLine line : readLines(bgr)) {
      if (line.confidence() < settings.minConfidence()) continue;
      Optional<String> text = settings.patterns().match(line.text());
      if (text.isPresent() && (best.isEmpty() || line.confidence() > best.get().confidence())) {
        best = Optional.of(new Plate(text.get(), line.confidence()));
      }
    }
    return best;
  }

  /** All text lines found in the image, raw OCR text; for diagnostics and tests. */
  public List<TextLine> readLines(Mat bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3) throw new InvalidImageException("expected an 8-bit BGR image");
    try (PointerScope scope = new PointerScope()) {
      List<TextLine> lines = new ArrayList<>();
      for (RotatedRect box : detectBoxes(bgr)) {
        Mat line = rectify(bgr, box);
        if (line.rows() < 4 || line.cols() < 4) continue;
        Recognised r = recognise(line);
        Rect bounds = box.boundingRect();
        lines.add(
            new TextLine(
                r.text, r.confidence, new BoundingBox(bounds.x(), bounds.y(), bounds.x() + bounds.width(), bounds.y() + bounds.height())));
      }
      lines.sort(Comparator.comparingDouble((TextLine l) -> l.box().y1()));
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
      if (meanInside(probMap, contour) < BOX_THRESHOLD) continue;
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

  private static double meanInside(Mat prob, Mat contour) {
    Rect b = boundingRect(contour);
    Rect clipped = new Rect(
        Math.max(0, b.x()), Math.max(0, b.y()),
        Math.min(b.width(), prob.cols() - Math.max(0, b.x())), Math.min(b.height(), prob.rows() - Math.max(0, b.y())));
    if (clipped.width() <= 0 || clipped.height() <= 0) return 0;
    return org.bytedeco.opencv.global.opencv_core.mean(prob.apply(clipped)).get(0);
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
    Mat src = new Mat(4, 1, org.bytedeco.opencv.global.opencv_core.CV_32FC2,
        new FloatPointer(q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]));
    Mat dst = new Mat(4, 1, org.bytedeco.opencv.global.opencv_core.CV_32FC2,
        new FloatPointer(0, 0, w, 0, w, h, 0, h));
    Mat m = getPerspectiveTransform(src, dst);
    Mat out = new Mat();
    warpPerspective(bgr, out, m, new Size(w, h), INTER_CUBIC, BORDER_REPLICATE, new org.bytedeco.opencv.opencv_core.Scalar());
    if (h >= 1.5 * w) { // vertical text: PaddleOCR rotates it to read left to right
      Mat rotated = new Mat();
      org.bytedeco.opencv.global.opencv_core.rotate(out, rotated, org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE);
      return rotated;
    }
    return out;
  }

  /** Orders 4 corners as top-left, top-right, bottom-right, bottom-left. */
  private static float[][] order(float[] p) {
    float[][] pts = {{p[0], p[1]}, {p[2], p[3]}, {p[4], p[5]}, {p[6], p[7]}};
    java.util.Arrays.sort(pts, Comparator.comparingDouble(a -> a[0]));
    float[][] left = {pts[0], pts[1]};
    float[][] right = {pts[2], pts[3]};
    java.util.Arrays.sort(left, Comparator.comparingDouble(a -> a[1]));
    java.util.Arrays.sort(right, Comparator.comparingDouble(a -> a[1]));
    return new float[][] {left[0], right[0], right[1], left[1]};
  }

  private static double dist(float[] a, float[] b) {
    return Math.hypot(a[0] - b[0], a[1] - b[1]);
  }

  private record Recognised(String text, double confidence) {}

  /** CTC recognition of one line: height 48, width by aspect (at least 320, zero padded). */
  private Recognised recognise(Mat line) throws OrtException {
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
      StringBuilder text = new StringBuilder();
      double sum = 0;
      int count = 0;
      int previous = -1;
      for (int s = 0; s < steps; s++) {
        int best = 0;
        float bestP = -1;
        int base = s * classes;
        for (int c = 0; c < classes; c++) {
          float v = fb.get(base + c);
          if (v > bestP) {
            bestP = v;
            best = c;
          }
        }
        if (best != 0 && best != previous) {
          text.append(alphabet.get(best));
          sum += bestP;
          count++;
        }
        previous = best;
      }
      return new Recognised(text.toString(), count == 0 ? 0 : sum / count);
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
