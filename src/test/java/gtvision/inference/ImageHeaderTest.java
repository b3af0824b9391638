package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ImageHeaderTest {

  /** A PNG signature and IHDR chunk claiming the given size: 33 bytes that would decode to gigabytes. */
  static byte[] pngHeader(int width, int height) {
    ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    b.putInt(13).put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height);
    b.put(new byte[] {8, 2, 0, 0, 0});
    CRC32 crc = new CRC32();
    crc.update(b.array(), 12, 17);
    b.putInt((int) crc.getValue());
    b.putInt(0).put(new byte[] {'I', 'E', 'N', 'D'}).putInt(0xAE426082);
    return b.array();
  }

  /** A JPEG SOI + SOF0 claiming the given size. */
  static byte[] jpegHeader(int width, int height) {
    return new byte[] {
      (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
      (byte) 0xFF, (byte) 0xC0, 0, 11, 8, (byte) (height >> 8), (byte) height, (byte) (width >> 8), (byte) width,
      1, 1, 0x11, 0
    };
  }

  @Test
  void readsRealJpegDimensions() {
    ImageHeader h = ImageHeader.probe(SharedData.imageBytes("kite.jpg"));
    assertEquals(new ImageHeader("jpeg", 1352, 900), h);
  }

  @Test
  void rejectsPngBomb() {
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> ImageHeader.check(pngHeader(100_000, 100_000), 50_000_000));
    assertTrue(e.getMessage().contains("refused before decoding"), e.getMessage());
  }

  @Test
  void rejectsJpegBomb() {
    assertEquals(new ImageHeader("jpeg", 65_000, 65_000), ImageHeader.probe(jpegHeader(65_000, 65_000)));
    assertThrows(InvalidImageException.class, () -> ImageHeader.check(jpegHeader(65_000, 65_000), 50_000_000));
    assertEquals(640, ImageHeader.check(jpegHeader(640, 480), 50_000_000).width());
  }

  @Test
  void rejectsNonImages() {
    for (byte[] bytes : new byte[][] {"{\"json\": true, \"pad\": 1234567}".getBytes(), new byte[3], null}) {
      InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageHeader.probe(bytes));
      assertTrue(e.getMessage().startsWith("not an image"), e.getMessage());
    }
  }

  @Test
  void rejectsEmptyDimensions() {
    assertThrows(InvalidImageException.class, () -> ImageHeader.check(pngHeader(0, 10), 50_000_000));
  }
}
