package gtvision.camera.stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_YUV2BGR_I420;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Decoding with OpenCV (libjpeg-turbo). The motion gate gets a reduced grayscale decode (libjpeg's DCT
 * scaling: a 1080p JPEG decoded at 1/8 costs a fraction of a full decode); the full colour decode
 * happens only for frames that go to analysis. Every native buffer lives in a {@link PointerScope}
 * and is freed before the method returns.
 */
public final class FrameImages {
  static {
    // Hundreds of cameras already keep every core busy: OpenCV's own thread pool would only add
    // threads and contention for these small images.
    opencv_core.setNumThreads(1);
  }

  private FrameImages() {}

  /** A grayscale picture at most {@code maxWidth} wide, for motion detection. */
  public static GrayImage gray(Frame frame, int maxWidth) {
    return frame.isJpeg() ? grayFromJpeg(frame, maxWidth) : grayFromI420(frame, maxWidth);
  }

  private static GrayImage grayFromJpeg(Frame frame, int maxWidth) {
    int ratio = frame.width() / Math.max(1, maxWidth);
    int flag = ratio >= 8 ? IMREAD_REDUCED_GRAYSCALE_8
        : ratio >= 4 ? IMREAD_REDUCED_GRAYSCALE_4
        : ratio >= 2 ? IMREAD_REDUCED_GRAYSCALE_2
        : IMREAD_GRAYSCALE;
    try (PointerScope scope = new PointerScope()) {
      Mat encoded = new Mat(1, frame.jpeg().length, CV_8UC1, new BytePointer(frame.jpeg()));
      Mat decoded = imdecode(encoded, flag);
      if (decoded == null || decoded.empty()) throw new CorruptFrameException("JPEG cannot be decoded (corrupt data)");
      int targetWidth = Math.min(maxWidth, decoded.cols());
      int targetHeight = Math.max(1, (int) Math.round((double) decoded.rows() * targetWidth / decoded.cols()));
      Mat small = decoded;
      if (targetWidth != decoded.cols()) {
        small = new Mat();
        resize(decoded, small, new Size(targetWidth, targetHeight), 0, 0, INTER_AREA);
      }
      byte[] pixels = new byte[targetWidth * targetHeight];
      copyRows(small, pixels, targetWidth, targetHeight);
      return new GrayImage(targetWidth, targetHeight, pixels);
    }
  }

  /** Box-averages the luma plane down: no colour conversion, no native call. */
  private static GrayImage grayFromI420(Frame frame, int maxWidth) {
    int w = frame.width();
    int h = frame.height();
    int step = Math.max(1, (w + maxWidth - 1) / maxWidth);
    int outW = w / step;
    int outH = h / step;
    byte[] y = frame.i420();
    byte[] out = new byte[outW * outH];
    int area = step * step;
    for (int oy = 0; oy < outH; oy++) {
      for (int ox = 0; ox < outW; ox++) {
        int sum = 0;
        for (int dy = 0; dy < step; dy++) {
          int row = (oy * step + dy) * w + ox * step;
          for (int dx = 0; dx < step; dx++) sum += y[row + dx] & 0xFF;
        }
        out[oy * outW + ox] = (byte) (sum / area);
      }
    }
    return new GrayImage(outW, outH, out);
  }

  /** Full-resolution BGR, 3 bytes per pixel. */
  public static byte[] bgr(Frame frame) {
    try (PointerScope scope = new PointerScope()) {
      Mat bgr = bgrMat(frame);
      byte[] out = new byte[frame.width() * frame.height() * 3];
      copyRows(bgr, out, frame.width() * 3, frame.height());
      return out;
    }
  }

  public static byte[] encodeJpeg(Frame frame) {
    try (PointerScope scope = new PointerScope()) {
      Mat bgr = bgrMat(frame);
      BytePointer buffer = new BytePointer();
      if (!imencode(".jpg", bgr, buffer)) throw new BadFrameException("cannot encode " + frame + " as JPEG");
      byte[] out = new byte[(int) buffer.limit()];
      buffer.get(out);
      return out;
    }
  }

  /** Must be called inside a PointerScope. */
  private static Mat bgrMat(Frame frame) {
    Mat bgr = new Mat();
    if (frame.isJpeg()) {
      Mat encoded = new Mat(1, frame.jpeg().length, CV_8UC1, new BytePointer(frame.jpeg()));
      bgr = imdecode(encoded, IMREAD_COLOR);
      if (bgr == null || bgr.empty()) throw new CorruptFrameException("JPEG cannot be decoded (corrupt data)");
      if (bgr.cols() != frame.width() || bgr.rows() != frame.height()) {
        throw new CorruptFrameException("JPEG decodes to " + bgr.cols() + "x" + bgr.rows() + ", header says "
            + frame.width() + "x" + frame.height());
      }
    } else {
      if (frame.width() % 2 != 0 || frame.height() % 2 != 0) {
        throw new BadFrameException("odd-sized 4:2:0 picture " + frame.width() + "x" + frame.height());
      }
      Mat yuv = new Mat(frame.height() * 3 / 2, frame.width(), CV_8UC1, new BytePointer(frame.i420()));
      cvtColor(yuv, bgr, COLOR_YUV2BGR_I420);
    }
    return bgr;
  }

  private static void copyRows(Mat mat, byte[] out, int rowBytes, int rows) {
    BytePointer data = mat.data();
    long stride = mat.step();
    if (stride == rowBytes) {
      data.position(0).get(out, 0, rowBytes * rows);
    } else {
      for (int r = 0; r < rows; r++) data.position(r * stride).get(out, r * rowBytes, rowBytes);
    }
  }
}
