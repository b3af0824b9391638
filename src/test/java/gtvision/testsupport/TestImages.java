package gtvision.testsupport;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/** JPEG frames cut from the shared test photos with OpenCV: a still view, or a window that pans. */
public final class TestImages {
  private TestImages() {}

  /** {@code count} frames of {@code width x height}, the view moving a little further each frame. */
  public static List<byte[]> panning(String image, int width, int height, int count) {
    List<byte[]> frames = new ArrayList<>();
    try (PointerScope scope = new PointerScope()) {
      Mat source = scaled(image, width * 2);
      int maxX = source.cols() - width;
      int maxY = Math.max(0, source.rows() - height);
      for (int i = 0; i < count; i++) {
        double t = (double) i / Math.max(1, count - 1);
        Mat view = new Mat(source, new Rect((int) (maxX * t), (int) (maxY * t / 2), width, Math.min(height, source.rows())));
        frames.add(encode(view));
      }
    }
    return frames;
  }

  /** One frame of the photo scaled to {@code width} (height keeps the aspect ratio). */
  public static byte[] still(String image, int width) {
    try (PointerScope scope = new PointerScope()) {
      return encode(scaled(image, width));
    }
  }

  private static Mat scaled(String image, int width) {
    Mat original = imread(MediaTools.image(image).toString());
    if (original.empty()) throw new IllegalStateException("cannot read " + image);
    int height = (int) Math.round((double) original.rows() * width / original.cols()) & ~1;
    Mat out = new Mat();
    resize(original, out, new Size(width, height));
    return out;
  }

  static byte[] encode(Mat mat) {
    BytePointer buffer = new BytePointer();
    imencode(".jpg", mat, buffer);
    byte[] out = new byte[(int) buffer.limit()];
    buffer.get(out);
    return out;
  }
}
