package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.testsupport.TestImages;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LatestFramesTest {

  private static Frame jpeg(String camera, long sequence, int bytes) {
    return new Frame(camera, sequence, Instant.now(), 640, 360, new byte[bytes], null);
  }

  @Test
  void keepsOnlyTheNewestFrameOfEachCamera() {
    LatestFrames latest = new LatestFrames(10_000);
    latest.put(jpeg("a", 1, 100));
    latest.put(jpeg("a", 2, 300));
    assertEquals(2, latest.get("a").orElseThrow().frame().sequence());
    assertEquals(300, latest.bytes());
    assertEquals(1, latest.size());
  }

  @Test
  void staysWithinItsBytesByDroppingTheCamerasWhoseFramesAreOldest() {
    LatestFrames latest = new LatestFrames(1000);
    latest.put(jpeg("a", 1, 400));
    latest.put(jpeg("b", 1, 400));
    latest.put(jpeg("a", 2, 400)); // a is now the newest
    latest.put(jpeg("c", 1, 400));
    assertTrue(latest.get("b").isEmpty(), "b's frame was the oldest");
    assertTrue(latest.get("a").isPresent());
    assertTrue(latest.get("c").isPresent());
    assertTrue(latest.bytes() <= 1000);
    latest.put(jpeg("huge", 1, 5000));
    assertTrue(latest.get("huge").isEmpty(), "a frame over the whole limit is not kept");
    assertTrue(latest.bytes() <= 1000);
  }

  @Test
  void forgetsACameraWhoseStreamStopped() {
    LatestFrames latest = new LatestFrames(1000);
    latest.put(jpeg("a", 1, 400));
    latest.remove("a");
    assertTrue(latest.get("a").isEmpty());
    assertEquals(0, latest.bytes());
  }

  @Test
  void servesACamerasOwnJpegBytesAndEncodesADecodedPictureOnce() {
    byte[] still = TestImages.still("kite.jpg", 320);
    LatestFrames latest = new LatestFrames(10_000_000);
    Frame fromCamera = new Frame("jpeg-cam", 1, Instant.now(), 320, 180, still, null);
    latest.put(fromCamera);
    assertArrayEquals(still, latest.get("jpeg-cam").orElseThrow().jpeg());
    Frame decoded = new Frame("video-cam", 1, Instant.now(), 64, 36, null, new byte[Frame.i420Size(64, 36)]);
    latest.put(decoded);
    LatestFrames.Entry entry = latest.get("video-cam").orElseThrow();
    byte[] encoded = entry.jpeg();
    assertEquals((byte) 0xFF, encoded[0]);
    assertEquals((byte) 0xD8, encoded[1]);
    assertTrue(encoded == entry.jpeg(), "encoded once");
  }
}
