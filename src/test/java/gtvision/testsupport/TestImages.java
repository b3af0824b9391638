package gtvision.testsupport;

import static org.bytedeco.opencv.global.opencv_core.CV_16SC3;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.add;
import static org.bytedeco.opencv.global.opencv_core.randn;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** JPEG frames cut from the shared test photos with OpenCV: a still view, or a window that pans. */
public final class TestImages {
  private TestImages() {}

  /** OpenCV's own default JPEG quality. */
  private static final int DEFAULT_QUALITY = 95;

  /** {@code count} frames of {@code width x height}, the view moving a little further each frame. */
  public static List<byte[]> panning(String image, int width, int height, int count) {
    return panning(image, width, height, count, DEFAULT_QUALITY, 0);
  }

  /**
   * As {@link #panning(String, int, int, int)}, with Gaussian sensor noise of {@code noiseSigma} grey
   * levels (what makes a real camera's JPEG large: the test photos are smaller than the frames and
   * scaled up, smooth) and encoded at JPEG {@code quality} (0-100).
   */
  public static List<byte[]> panning(String image, int width, int height, int count, int quality, double noiseSigma) {
    List<byte[]> frames = new ArrayList<>();
    try (PointerScope scope = new PointerScope()) {
      Mat source = scaled(image, width * 2);
      int maxX = source.cols() - width;
      int maxY = Math.max(0, source.rows() - height);
      for (int i = 0; i < count; i++) {
        double t = (double) i / Math.max(1, count - 1);
        Mat view = new Mat(source, new Rect((int) (maxX * t), (int) (maxY * t / 2), width, Math.min(height, source.rows())));
        frames.add(encode(withNoise(view, noiseSigma), quality));
      }
    }
    return frames;
  }

  /** One frame of the photo scaled to {@code width} (height keeps the aspect ratio). */
  public static byte[] still(String image, int width) {
    return still(image, width, DEFAULT_QUALITY, 0);
  }

  /** As {@link #still(String, int)}, with sensor noise and quality as in {@link #panning(String, int, int, int, int, double)}. */
  public static byte[] still(String image, int width, int quality, double noiseSigma) {
    try (PointerScope scope = new PointerScope()) {
      return encode(withNoise(scaled(image, width), noiseSigma), quality);
    }
  }

  private static Mat withNoise(Mat view, double sigma) {
    if (sigma <= 0) return view;
    Mat noise = new Mat(view.rows(), view.cols(), CV_16SC3);
    randn(noise, new Mat(1, 1, CV_64F, new Scalar(0.0)), new Mat(1, 1, CV_64F, new Scalar(sigma)));
    Mat out = new Mat();
    add(view, noise, out, new Mat(), CV_8U);
    return out;
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
    return encode(mat, DEFAULT_QUALITY);
  }

  private static byte[] encode(Mat mat, int quality) {
    BytePointer buffer = new BytePointer();
    imencode(".jpg", mat, buffer, new IntPointer(IMWRITE_JPEG_QUALITY, quality));
    byte[] out = new byte[(int) buffer.limit()];
    buffer.get(out);
    return out;
  }
}
