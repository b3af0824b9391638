package gtvision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SourceUrlsTest {
  @Test
  void masksThePasswordOfAUrl() {
    assertEquals("rtsp://user:***@10.0.0.7/stream1", SourceUrls.mask("rtsp://user:pw@10.0.0.7/stream1"));
  }

  @Test
  void masksPasswordsThatContainAtSignsAndColons() {
    assertEquals("rtsp://admin:***@cam.local:554/s", SourceUrls.mask("rtsp://admin:p@ss:w0rd@cam.local:554/s"));
  }

  @Test
  void masksEveryUrlInsideFreeText() {
    assertEquals("failed rtsp://a:***@h/x then http://b:***@h2/y",
        SourceUrls.mask("failed rtsp://a:1@h/x then http://b:2@h2/y"));
  }

  @Test
  void leavesUrlsWithoutPasswordAlone() {
    assertEquals("http://10.0.0.7:8080/snap.jpg?a=b@c", SourceUrls.mask("http://10.0.0.7:8080/snap.jpg?a=b@c"));
    assertEquals("rtsp://user@host/s", SourceUrls.mask("rtsp://user@host/s"));
  }
}
