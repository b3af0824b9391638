package gtvision.inference;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A frame as it is sent to a worker on another node: JPEG bytes no larger on their long side than
 * the request needs, and the source dimensions to map the worker's boxes back to.
 */
public record WireFrame(byte[] bytes, int sourceWidth, int sourceHeight, int wireWidth, int wireHeight) {

  /** JPEG qualities tried in turn until the frame fits the largest message Artery carries. */
  private static final List<Integer> FALLBACK_QUALITIES = List.of(70, 50);

  public boolean scaled() {
    return sourceWidth != wireWidth || sourceHeight != wireHeight;
  }

  /**
   * The frame for the wire (blocking CPU work: decode, resize, encode; run it on the inference
   * dispatcher). A frame that already fits {@code side} and {@code passThroughBytes} goes as it is.
   *
   * @throws InvalidImageException when the image cannot be decoded or does not fit {@code maxFrameBytes}
   */
  public static WireFrame of(
      byte[] image, int side, int quality, long passThroughBytes, long maxFrameBytes, long maxPixels) {
    ImageHeader header = ImageHeader.check(image, maxPixels);
    int w = header.width();
    int h = header.height();
    if (Math.max(w, h) <= side && image.length <= passThroughBytes) return new WireFrame(image, w, h, w, h);
    double r = Math.min(1.0, (double) side / Math.max(w, h));
    int ww = Math.max(1, (int) Math.round(w * r));
    int wh = Math.max(1, (int) Math.round(h * r));
    try (Mat source = Images.decodeBgr(image, maxPixels);
        PointerScope scope = new PointerScope()) {
      Mat scaled = source;
      if (r < 1.0) {
        scaled = new Mat();
        // INTER_AREA averages the source pixels: a 5x reduction with INTER_LINEAR aliases fine detail.
        resize(source, scaled, new Size(ww, wh), 0, 0, INTER_AREA);
      }
      byte[] bytes = Images.encodeJpeg(scaled, quality);
      for (int q : FALLBACK_QUALITIES) {
        if (bytes.length <= maxFrameBytes) break;
        if (q < quality) bytes = Images.encodeJpeg(scaled, q);
      }
      if (bytes.length > maxFrameBytes) {
        throw new InvalidImageException("frame of " + bytes.length + " bytes after re-encoding at " + ww + "x" + wh
            + " exceeds the largest remote message (" + maxFrameBytes + " bytes)");
      }
      return new WireFrame(bytes, w, h, ww, wh);
    }
  }

  /** The worker's result for this frame in source-image pixels. */
  public DetectionResult toSource(DetectionResult r) {
    if (!scaled()) return r;
    double sx = (double) sourceWidth / wireWidth;
    double sy = (double) sourceHeight / wireHeight;
    List<Detection> detections = r.detections().stream()
        .map(d -> new Detection(d.className(), d.confidence(), new BoundingBox(
            d.box().x1() * sx, d.box().y1() * sy, d.box().x2() * sx, d.box().y2() * sy).clip(sourceWidth, sourceHeight),
            d.plate()))
        .toList();
    return new DetectionResult(detections, r.provider(), r.modelId(), sourceWidth, sourceHeight, r.batchSize(), r.timings());
  }
}
