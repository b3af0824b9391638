package gtvision.inference;

/**
 * Format and dimensions read from an encoded image's header, before anything is decoded. The
 * guard against decompression bombs: a 50 KB PNG can claim 100000 x 100000 pixels (30 GB decoded).
 */
public record ImageHeader(String format, int width, int height) {

  public long pixels() {
    return (long) width * height;
  }

  /**
   * Reads the header and rejects what must not be decoded: not an image of a supported format,
   * zero or absurd dimensions.
   *
   * @throws InvalidImageException with a message fit for an HTTP 400 body
   */
  public static ImageHeader check(byte[] bytes, long maxPixels) {
    ImageHeader h = probe(bytes);
    if (h.width <= 0 || h.height <= 0) {
      throw new InvalidImageException(
          "image header claims empty dimensions " + h.width + "x" + h.height);
    }
    if (h.pixels() > maxPixels) {
      throw new InvalidImageException(
          "image header claims "
              + h.width
              + "x"
              + h.height
              + " pixels, more than the limit of "
              + maxPixels
              + " (gtv.inference.max-pixels); refused before decoding");
    }
    return h;
  }

  /** Format and dimensions, or {@link InvalidImageException} when the bytes are no JPEG/PNG/BMP. */
  public static ImageHeader probe(byte[] b) {
    if (b == null || b.length < 16) {
      throw new InvalidImageException("not an image: " + (b == null ? 0 : b.length) + " bytes");
    }
    if (u8(b, 0) == 0xFF && u8(b, 1) == 0xD8) return jpeg(b);
    if (u8(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return png(b);
    if (b[0] == 'B' && b[1] == 'M' && b.length >= 26) {
      return new ImageHeader("bmp", le32(b, 18), Math.abs(le32(b, 22)));
    }
    throw new InvalidImageException("not an image: supported formats are JPEG, PNG and BMP");
  }

  private static ImageHeader png(byte[] b) {
    // Signature (8), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4).
    if (b.length < 24 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
      throw new InvalidImageException("not an image: PNG without IHDR header");
    }
    long w = be32u(b, 16);
    long h = be32u(b, 20);
    return new ImageHeader("png", (int) Math.min(w, Integer.MAX_VALUE), (int) Math.min(h, Integer.MAX_VALUE));
  }

  private static ImageHeader jpeg(byte[] b) {
    int i = 2;
    while (i + 3 < b.length) {
      if (u8(b, i) != 0xFF) {
        throw new InvalidImageException("not an image: corrupt JPEG marker at byte " + i);
      }
      int marker = u8(b, i + 1);
      if (marker == 0xFF) { // fill byte
        i++;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length field
        i += 2;
        continue;
      }
      int len = (u8(b, i + 2) << 8) | u8(b, i + 3);
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        if (i + 9 > b.length) break;
        int h = (u8(b, i + 5) << 8) | u8(b, i + 6);
        int w = (u8(b, i + 7) << 8) | u8(b, i + 8);
        return new ImageHeader("jpeg", w, h);
      }
      if (marker == 0xDA || marker == 0xD9 || len < 2) break; // scan data before a frame header
      i += 2 + len;
    }
    throw new InvalidImageException("not an image: JPEG without a frame header");
  }

  private static int u8(byte[] b, int i) {
    return b[i] & 0xFF;
  }

  private static long be32u(byte[] b, int i) {
    return ((long) u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
  }

  private static int le32(byte[] b, int i) {
    return u8(b, i) | (u8(b, i + 1) << 8) | (u8(b, i + 2) << 16) | (u8(b, i + 3) << 24);
  }
}
