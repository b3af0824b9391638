package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestImages;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Damaged JPEGs are told apart from bodies that are no JPEG at all: only the former are skippable frames. */
class DamagedJpegTest {
  private final byte[] good = TestImages.panning("kite.jpg", 640, 360, 1).get(0);

  @Test
  void aJpegWithoutFrameHeaderIsACorruptFrame() {
    byte[] damaged = TestCameraServer.withoutFrameHeader();
    assertThrows(CorruptFrameException.class, () -> JpegInfo.parse(damaged, damaged.length));
  }

  @Test
  void aJpegCutBeforeItsScanHasASizeButDoesNotDecode() {
    byte[] cut = TestCameraServer.cutBeforeScan(good);
    JpegInfo info = JpegInfo.parse(cut, cut.length);
    assertEquals(640, info.width());
    Frame frame = new Frame("c1", 1, Instant.now(), info.width(), info.height(), cut, null);
    assertThrows(CorruptFrameException.class, () -> FrameImages.gray(frame, 160));
    assertThrows(CorruptFrameException.class, frame::bgr);
  }

  @Test
  void aBodyThatIsNoJpegAtAllIsNotMerelyCorrupt() {
    byte[] html = "<html>login</html>".getBytes();
    BadFrameException e = assertThrows(BadFrameException.class, () -> JpegInfo.parse(html, html.length));
    assertEquals(BadFrameException.class, e.getClass());
  }
}
