package gtvision.camera.stream;

/** A small 8-bit grayscale picture, row-major: what the motion gate looks at. */
public record GrayImage(int width, int height, byte[] pixels) {
  public GrayImage {
    if (pixels.length != width * height) throw new IllegalArgumentException("pixels do not match " + width + "x" + height);
  }
}
