package gtvision.inference;

import java.util.Optional;

/**
 * One detected object.
 *
 * @param className COCO class name ("car", "person", ...)
 * @param confidence 0..1
 * @param box in source-image pixels
 * @param plate plate text for vehicles, present only when it was read and matched a pattern
 */
public record Detection(String className, double confidence, BoundingBox box, Optional<Plate> plate) {

  public Detection(String className, double confidence, BoundingBox box) {
    this(className, confidence, box, Optional.empty());
  }

  public Detection withPlate(Plate p) {
    return new Detection(className, confidence, box, Optional.of(p));
  }
}
