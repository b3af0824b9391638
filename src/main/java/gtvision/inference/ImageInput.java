package gtvision.inference;

import org.bytedeco.opencv.opencv_core.Mat;

/** A frame handed to a {@link Detector}: encoded bytes (JPEG, PNG, BMP) or an already decoded image. */
public sealed interface ImageInput {

  static ImageInput encoded(byte[] bytes) {
    return new Encoded(bytes);
  }

  /** Encoded image as received from a camera or an upload; validated before it is decoded. */
  record Encoded(byte[] bytes) implements ImageInput {}

  /**
   * A decoded 8-bit BGR image (CV_8UC3), e.g. from the camera pipeline's FFmpeg decoder. The caller
   * keeps ownership and must not release it before the detection completes.
   */
  record Decoded(Mat bgr) implements ImageInput {}
}
