package gtvision.camera;

import gtvision.CborSerializable;

/** The camera's picture in source pixels: detection boxes are in these, zones and lines in fractions of them. */
public record FrameSize(int width, int height) implements CborSerializable {
  public FrameSize {
    if (width <= 0 || height <= 0) throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
  }
}
