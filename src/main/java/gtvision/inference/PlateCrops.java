package gtvision.inference;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Vehicle crops of one frame for the plate reader of a worker on another node: the frame itself
 * crosses at the detector's input size, the plates are read on these full-resolution cut-outs.
 *
 * @param crops JPEG bytes, one per read vehicle
 * @param detections index in the frame's detections of the vehicle each crop shows
 */
public record PlateCrops(List<byte[]> crops, List<Integer> detections) {

  public static final PlateCrops NONE = new PlateCrops(List.of(), List.of());

  public PlateCrops {
    crops = List.copyOf(crops);
    detections = List.copyOf(detections);
  }

  public long bytes() {
    return crops.stream().mapToLong(c -> c.length).sum();
  }

  /** The pixels of a vehicle box the plate reader looks at; local and remote reading cut the same. */
  public record Region(int x, int y, int width, int height) {

    /** Smaller regions hold no readable plate. */
    static final int MIN_SIDE = 16;

    /** The box clipped to the image, whole pixels; empty when it is too small to read. */
    public static Optional<Region> of(BoundingBox box, int cols, int rows) {
      BoundingBox b = box.clip(cols, rows);
      int x = (int) b.x1();
      int y = (int) b.y1();
      int w = Math.min((int) Math.ceil(b.x2()) - x, cols - x);
      int h = Math.min((int) Math.ceil(b.y2()) - y, rows - y);
      return w < MIN_SIDE || h < MIN_SIDE ? Optional.empty() : Optional.of(new Region(x, y, w, h));
    }
  }

  /**
   * Cuts the vehicles of {@code result} out of the source {@code image} (blocking CPU work: decode,
   * crop, encode; run it on the inference dispatcher). The most confident vehicles first, at most
   * {@code maxCrops}; a crop over {@code maxCropPixels} is scaled down to it; a crop that would take
   * the message over {@code maxBytes} is left out (that vehicle comes without a plate).
   */
  public static PlateCrops cut(
      byte[] image, DetectionResult result, int maxCrops, long maxCropPixels, int quality, long maxBytes,
      long maxPixels) {
    List<Detection> all = result.detections();
    List<Integer> vehicles = IntStream.range(0, all.size())
        .filter(i -> CocoClasses.VEHICLES.contains(all.get(i).className()))
        .boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> all.get(i).confidence()).reversed())
        .toList();
    if (vehicles.isEmpty() || maxCrops == 0) return NONE;
    List<byte[]> crops = new ArrayList<>();
    List<Integer> read = new ArrayList<>();
    long total = 0;
    try (Mat source = Images.decodeBgr(image, maxPixels);
        PointerScope scope = new PointerScope()) {
      for (int i : vehicles) {
        if (crops.size() == maxCrops) break;
        Optional<Region> region = Region.of(all.get(i).box(), source.cols(), source.rows());
        if (region.isEmpty()) continue;
        Region g = region.get();
        Mat crop = source.apply(new Rect(g.x(), g.y(), g.width(), g.height()));
        long pixels = (long) g.width() * g.height();
        if (pixels > maxCropPixels) {
          double r = Math.sqrt((double) maxCropPixels / pixels);
          Mat scaled = new Mat();
          resize(crop, scaled, new Size(Math.max(1, (int) (g.width() * r)), Math.max(1, (int) (g.height() * r))),
              0, 0, INTER_AREA);
          crop = scaled;
        }
        byte[] bytes = Images.encodeJpeg(crop, quality);
        if (total + bytes.length > maxBytes) continue;
        total += bytes.length;
        crops.add(bytes);
        read.add(i);
      }
    }
    return new PlateCrops(crops, read);
  }

  /** {@code result} with each plate read on a crop attached to the vehicle it was cut from. */
  public DetectionResult attach(DetectionResult result, List<Optional<Plate>> plates, double extraMs) {
    if (plates.size() != crops.size()) {
      throw new IllegalStateException("worker read " + plates.size() + " plates for " + crops.size() + " crops");
    }
    List<Detection> out = new ArrayList<>(result.detections());
    for (int c = 0; c < plates.size(); c++) {
      int i = detections.get(c);
      Optional<Plate> p = plates.get(c);
      if (p.isPresent()) out.set(i, out.get(i).withPlate(p.get()));
    }
    Timings t = result.timings();
    return new DetectionResult(out, result.provider(), result.modelId(), result.imageWidth(), result.imageHeight(),
        result.batchSize(), new Timings(t.preprocessMs(), t.queueMs(), t.inferenceMs(), t.postprocessMs() + extraMs));
  }
}
