package gtvision.tracking;

import gtvision.inference.BoundingBox;
import gtvision.inference.Plate;
import java.util.List;
import java.util.Optional;

/**
 * One detection of a frame, as the tracker takes it.
 *
 * @param className detector class ("car", "person", ...)
 * @param confidence 0..1
 * @param box in source-image pixels, with a positive width and height
 * @param plate the plate read on it, if any
 */
public record TrackInput(String className, double confidence, BoundingBox box, Optional<Plate> plate) {

  public TrackInput {
    if (className == null || className.isBlank()) throw new IllegalArgumentException("detection class is missing");
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("detection confidence must be in [0, 1], not " + confidence);
    }
    if (box == null) throw new IllegalArgumentException("detection box is missing");
    if (!(Double.isFinite(box.x1()) && Double.isFinite(box.y1()) && Double.isFinite(box.x2()) && Double.isFinite(box.y2()))) {
      throw new IllegalArgumentException("detection box has a coordinate that is not a finite number: " + box);
    }
    // The filter tracks aspect ratio w/h and height: an empty box has neither.
    if (!(box.x2() > box.x1() && box.y2() > box.y1())) {
      throw new IllegalArgumentException("detection box must have a positive width and height: " + box);
    }
    if (plate == null) throw new IllegalArgumentException("detection plate must be Optional.empty(), not null");
  }

  public TrackInput(String className, double confidence, BoundingBox box) {
    this(className, confidence, box, Optional.empty());
  }

  /** A detection as the camera records it: its box as {@code [x1, y1, x2, y2]} in source pixels. */
  public static TrackInput of(String className, double confidence, List<Double> bbox) {
    if (bbox.size() != 4) throw new IllegalArgumentException("detection box must be [x1, y1, x2, y2]: " + bbox);
    return new TrackInput(className, confidence, new BoundingBox(bbox.get(0), bbox.get(1), bbox.get(2), bbox.get(3)));
  }
}
