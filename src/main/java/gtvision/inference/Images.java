package gtvision.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Image decoding and tensor packing in native code (OpenCV through JavaCPP): no per-pixel Java
 * loops. Temporaries are released by {@link PointerScope}s, not by the garbage collector.
 */
public final class Images {
  private Images() {}

  /**
   * Decodes to 8-bit BGR after the header check, so a decompression bomb is refused before any
   * pixel buffer is allocated. The caller releases the returned Mat.
   */
  public static Mat decodeBgr(byte[] bytes, long maxPixels) {
    ImageHeader.check(bytes, maxPixels);
    Mat out;
    // No PointerScope here: the decoded Mat must outlive this method (the caller owns it).
    try (BytePointer data = new BytePointer(bytes);
        Mat buf = new Mat(1, bytes.length, CV_8UC1, data)) {
      out = imdecode(buf, IMREAD_COLOR);
    }
    if (out == null || out.empty() || out.type() != CV_8UC3) {
      if (out != null) out.close();
      throw new InvalidImageException("not an image: the data could not be decoded");
    }
    return out;
  }

  /** JPEG-encodes a BGR Mat (for providers that take bytes, such as Rekognition). */
  public static byte[] encodeJpeg(Mat bgr, int quality) {
    try (PointerScope scope = new PointerScope()) {
      BytePointer out = new BytePointer();
      IntPointer params = new IntPointer(org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY, quality);
      if (!imencode(".jpg", bgr, out, params)) {
        throw new InvalidImageException("could not encode image as JPEG");
      }
      byte[] bytes = new byte[(int) out.limit()];
      out.get(bytes);
      return bytes;
    }
  }

  /**
   * A native pointer to {@code dst}'s memory at float offset {@code offset}. Goes through {@link
   * FloatBuffer#slice()}: JavaCPP mis-computes the address of a duplicate whose position is not 0.
   */
  static FloatPointer floatView(FloatBuffer dst, int offset) {
    FloatBuffer d = dst.duplicate();
    d.position(offset);
    return new FloatPointer(d.slice());
  }

  /**
   * YOLOX letterbox: scale to fit {@code size x size} keeping the aspect ratio (bilinear), place at
   * the top-left, pad with 114, and write raw 0..255 BGR values as planar CHW floats into {@code
   * dst} from its current position (which is advanced by 3 * size * size).
   *
   * @return the scale ratio, to map boxes back to source pixels
   */
  public static double letterbox(Mat bgr, int height, int width, FloatBuffer dst) {
    double r = Math.min((double) height / bgr.rows(), (double) width / bgr.cols());
    // Rounded, not truncated: 773 * (416 / 773) is 415.99999999999994 in doubles, and truncating
    // to 415 leaves a padding column that moved scores of the reference images by up to 0.08.
    int nw = Math.max(1, Math.min(width, (int) Math.round(bgr.cols() * r)));
    int nh = Math.max(1, Math.min(height, (int) Math.round(bgr.rows() * r)));
    int plane = height * width;
    if (!dst.isDirect() || dst.remaining() < 3 * plane) {
      throw new IllegalArgumentException("destination must be a direct buffer with room for 3 planes");
    }
    try (PointerScope scope = new PointerScope()) {
      Mat padded = new Mat(height, width, CV_8UC3, new Scalar(114, 114, 114, 0));
      Mat roi = padded.apply(new Rect(0, 0, nw, nh));
      resize(bgr, roi, new Size(nw, nh), 0, 0, INTER_LINEAR); // writes into the ROI in place
      MatVector channels = new MatVector(3);
      split(padded, channels);
      int base = dst.position();
      for (int c = 0; c < 3; c++) {
        // A float Mat header over the caller's direct buffer: convertTo writes straight into the tensor.
        FloatPointer view = floatView(dst, base + c * plane);
        Mat target = new Mat(height, width, CV_32FC1, view);
        channels.get(c).convertTo(target, CV_32F);
        if (target.data().address() != view.address()) {
          throw new IllegalStateException("OpenCV reallocated the tensor view");
        }
      }
      dst.position(base + 3 * plane);
    }
    return r;
  }
}
