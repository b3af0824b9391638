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
  }

  @Test
  void masksAUserOnlyCredential() {
    assertEquals("rtsp://***@10.0.0.7/s", SourceUrls.mask("rtsp://8f3a9c0token@10.0.0.7/s"));
    assertEquals("camera rtsp://***@h:554/x lost", SourceUrls.mask("camera rtsp://tok@h:554/x lost"));
  }

  @Test
  void masksSecretQueryParameters() {
    assertEquals("http://h/snap.jpg?user=admin&password=***&size=2",
        SourceUrls.mask("http://h/snap.jpg?user=admin&password=hunter2&size=2"));
    assertEquals("http://h/s?token=***", SourceUrls.mask("http://h/s?token=abc.def"));
    assertEquals("http://h/s?KEY=***&auth=***#x", SourceUrls.mask("http://h/s?KEY=k1&auth=a2#x"));
    assertEquals("https://b/o?X-Amz-Signature=***&X-Amz-Credential=***",
        SourceUrls.mask("https://b/o?X-Amz-Signature=5f2e&X-Amz-Credential=AKIA/2026"));
    assertEquals("http://h/s?signature=*** failed", SourceUrls.mask("http://h/s?signature=zz failed"));
    assertEquals("http://h/s?monkey=1&keyframe=2", SourceUrls.mask("http://h/s?monkey=1&keyframe=2"));
  }

  @Test
  void maskingIsIdempotent() {
    for (String url : new String[] {"rtsp://u:p@h/s", "rtsp://t@h/s", "http://h/s?token=x"}) {
      String once = SourceUrls.mask(url);
      assertEquals(once, SourceUrls.mask(once));
    }
  }
}
