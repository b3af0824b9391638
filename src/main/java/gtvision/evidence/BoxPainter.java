package gtvision.evidence;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Draws detection boxes and labels on an evidence JPEG (OpenCV; native buffers freed on return). */
public final class BoxPainter {
  /** Pure red in BGR: what a box looks like on the returned picture. */
  static final Scalar RED = new Scalar(0, 0, 255, 0);

  private BoxPainter() {}

  /** A box in source pixels and its label. */
  public record Box(List<Double> bbox, String label) {}

  public static byte[] draw(byte[] jpeg, List<Box> boxes) {
    try (PointerScope scope = new PointerScope()) {
      Mat image = imdecode(new Mat(new BytePointer(jpeg)), IMREAD_COLOR);
      if (image == null || image.empty()) throw new IllegalArgumentException("the stored evidence is not a decodable JPEG");
      int thickness = Math.max(2, image.cols() / 320);
      double fontScale = Math.max(0.5, image.cols() / 1280.0);
      for (Box box : boxes) {
        int x1 = clamp(box.bbox().get(0), image.cols());
        int y1 = clamp(box.bbox().get(1), image.rows());
        int x2 = clamp(box.bbox().get(2), image.cols());
        int y2 = clamp(box.bbox().get(3), image.rows());
        rectangle(image, new Point(x1, y1), new Point(x2, y2), RED, thickness, LINE_AA, 0);
        putText(image, box.label(), new Point(x1, Math.max(12, y1 - 4)), FONT_HERSHEY_SIMPLEX, fontScale, RED,
            Math.max(1, thickness / 2), LINE_AA, false);
      }
      BytePointer out = new BytePointer();
      if (!imencode(".jpg", image, out)) throw new IllegalStateException("cannot encode the annotated frame");
      byte[] bytes = new byte[(int) out.limit()];
      out.get(bytes);
      return bytes;
    }
  }

  public static String label(String className, double confidence, String plate) {
    String text = className + String.format(Locale.ROOT, " %.2f", confidence);
    return plate == null ? text : text + " " + plate;
  }

  private static int clamp(double value, int size) {
    return (int) Math.max(0, Math.min(size - 1, Math.round(value)));
  }
}
