package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gtvision.testsupport.TestImages;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MotionGateTest {
  private static final MotionGate.Settings SETTINGS = new MotionGate.Settings(25, 0.01, Duration.ofSeconds(30), 0.1, 160);
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  /** A grey 160x90 scene with a bright 16x16 square at (x, y). */
  private static GrayImage scene(int x, int y) {
    byte[] pixels = new byte[160 * 90];
    Arrays.fill(pixels, (byte) 60);
    for (int r = y; r < y + 16; r++) for (int c = x; c < x + 16; c++) pixels[r * 160 + c] = (byte) 220;
    return new GrayImage(160, 90, pixels);
  }

  @Test
  void staticSceneIsSkippedAfterTheFirstFrame() {
    MotionGate gate = new MotionGate(SETTINGS, List.of());
    assertEquals(MotionGate.Decision.MOTION, gate.evaluate(scene(10, 10), T0));
    for (int i = 1; i <= 10; i++) {
      assertEquals(MotionGate.Decision.SKIPPED, gate.evaluate(scene(10, 10), T0.plusSeconds(i)));
    }
  }

  @Test
  void movingObjectPasses() {
    MotionGate gate = new MotionGate(SETTINGS, List.of());
    gate.evaluate(scene(10, 10), T0);
    gate.evaluate(scene(10, 10), T0.plusSeconds(1));
    assertEquals(MotionGate.Decision.MOTION, gate.evaluate(scene(100, 50), T0.plusSeconds(2)));
  }

  @Test
  void motionInsideAMaskedRegionIsIgnored() {
    // The right half of the picture is masked: a square moving there does not count.
    List<List<List<Double>>> rightHalf = List.of(List.of(List.of(0.5, 0.0), List.of(1.0, 0.0), List.of(1.0, 1.0), List.of(0.5, 1.0)));
    MotionGate gate = new MotionGate(SETTINGS, rightHalf);
    gate.evaluate(scene(100, 10), T0);
    assertEquals(MotionGate.Decision.SKIPPED, gate.evaluate(scene(120, 50), T0.plusSeconds(1)));
    assertEquals(MotionGate.Decision.SKIPPED, gate.evaluate(scene(130, 60), T0.plusSeconds(2)));
    // ... while the same movement on the unmasked left half does.
    assertEquals(MotionGate.Decision.MOTION, gate.evaluate(scene(20, 50), T0.plusSeconds(3)));
  }

  @Test
  void aFrameIsAnalysedAnywayAfterForceEvery() {
    MotionGate gate = new MotionGate(SETTINGS, List.of());
    gate.evaluate(scene(10, 10), T0);
    assertEquals(MotionGate.Decision.SKIPPED, gate.evaluate(scene(10, 10), T0.plusSeconds(29)));
    assertEquals(MotionGate.Decision.FORCED, gate.evaluate(scene(10, 10), T0.plusSeconds(30)));
    assertEquals(MotionGate.Decision.SKIPPED, gate.evaluate(scene(10, 10), T0.plusSeconds(31)));
  }

  @Test
  void smallChangesBelowTheMinimumAreaAreNoMotion() {
    MotionGate gate = new MotionGate(new MotionGate.Settings(25, 0.05, Duration.ofSeconds(30), 0.1, 160), List.of());
    gate.evaluate(scene(10, 10), T0);
    // The square moves by 4 px: about 2% of the picture changes, under the 5% minimum.
    assertEquals(MotionGate.Decision.SKIPPED, gate.evaluate(scene(14, 10), T0.plusSeconds(1)));
  }

  @Test
  void realJpegsThroughTheReducedDecode() {
    List<byte[]> panning = TestImages.panning("kite.jpg", 1280, 720, 5);
    MotionGate still = new MotionGate(SETTINGS, List.of());
    MotionGate moving = new MotionGate(SETTINGS, List.of());
    for (int i = 0; i < 5; i++) {
      Instant at = T0.plusSeconds(i);
      MotionGate.Decision s = still.evaluate(FrameImages.gray(jpegFrame(panning.get(0), i), 160), at);
      MotionGate.Decision m = moving.evaluate(FrameImages.gray(jpegFrame(panning.get(i), i), 160), at);
      if (i > 0) {
        assertEquals(MotionGate.Decision.SKIPPED, s, "same picture again");
        assertEquals(MotionGate.Decision.MOTION, m, "the view moved");
      }
    }
  }

  @Test
  void reducedDecodeIsSmallAndKeepsTheAspectRatio() {
    byte[] jpeg = TestImages.panning("kite.jpg", 1920, 1080, 1).get(0);
    GrayImage gray = FrameImages.gray(jpegFrame(jpeg, 0), 160);
    assertEquals(160, gray.width());
    assertEquals(90, gray.height());
  }

  private static Frame jpegFrame(byte[] jpeg, long seq) {
    JpegInfo info = JpegInfo.parse(jpeg, jpeg.length);
    return new Frame("cam", seq, T0.plusSeconds(seq), info.width(), info.height(), jpeg, null);
  }
}
