package gtvision.camera.stream;


/**
 * Reads a JPEG's size from its frame header without decoding it, and says clearly what a body is
 * when it is not a JPEG (a login page, an empty reply): cameras answer all sorts of things.
 */
public record JpegInfo(int width, int height) {

  /**
   * Parses {@code data} or throws {@link BadFrameException} naming what was received instead: a
   * {@link CorruptFrameException} when it starts as a JPEG but breaks off or is damaged.
   */
  public static JpegInfo parse(byte[] data, int length) {
    if (length == 0) throw new BadFrameException("empty image (0 bytes)");
    if (length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
      // What the server sent instead (a login page, an error text) is not quoted: it is not ours to show.
      throw new BadFrameException("not a JPEG (" + length + " bytes without the JPEG start marker)");
    }
    int i = 2;
    while (i + 3 < length) {
      if ((data[i] & 0xFF) != 0xFF) {
        i++;
        continue;
      }
      int marker = data[i + 1] & 0xFF;
      if (marker == 0xFF) {
        i++;
        continue;
      }
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        i += 2;
        continue;
      }
      int segmentLength = ((data[i + 2] & 0xFF) << 8) | (data[i + 3] & 0xFF);
      boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (startOfFrame) {
        if (i + 8 >= length) break;
        int height = ((data[i + 5] & 0xFF) << 8) | (data[i + 6] & 0xFF);
        int width = ((data[i + 7] & 0xFF) << 8) | (data[i + 8] & 0xFF);
        if (width == 0 || height == 0) throw new CorruptFrameException("JPEG with an empty frame (" + width + "x" + height + ")");
        return new JpegInfo(width, height);
      }
      if (marker == 0xDA || segmentLength < 2) break;
      i += 2 + segmentLength;
    }
    throw new CorruptFrameException("truncated or corrupt JPEG (" + length + " bytes, no frame header)");
  }

}
