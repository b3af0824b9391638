package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.secrets.SecretBox;
import gtvision.secrets.SecretException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CameraCredentialsUnitTest {
  private static CameraConfig config(String url) {
    return new CameraConfig("c", url, SourceKind.RTSP, 1.0, null, List.of());
  }

  @Test
  void aConfigWrittenBeforeEncryptionStreamsWithItsPlainUrl() throws Exception {
    CameraConfig legacy = config("rtsp://u:pw@h/s");
    assertEquals("rtsp://u:pw@h/s", new CameraCredentials(SecretBox.ephemeral()).open("cam", legacy).sourceUrl());
  }

  @Test
  void sealedUrlsOpenOnlyForTheirCameraAndWithAKnownKey() throws Exception {
    byte[] old = SecretBox.randomKey();
    CameraCredentials first = new CameraCredentials(new SecretBox(old, List.of()));
    CameraConfig sealed = first.forRegister("cam", config("rtsp://token@h/s?key=k1")).config();
    assertEquals("rtsp://***@h/s?key=***", sealed.sourceUrl());
    assertNotNull(sealed.sealedSourceUrl());
    assertEquals("rtsp://token@h/s?key=k1", first.open("cam", sealed).sourceUrl());
    assertThrows(SecretException.class, () -> first.open("other-cam", sealed));
    CameraCredentials rotated = new CameraCredentials(new SecretBox(SecretBox.randomKey(), List.of(old)));
    assertEquals("rtsp://token@h/s?key=k1", rotated.open("cam", sealed).sourceUrl());
    SecretException wrong = assertThrows(SecretException.class,
        () -> new CameraCredentials(SecretBox.ephemeral()).open("cam", sealed));
    assertTrue(wrong.getMessage().contains(SecretBox.keyId(old)), wrong.getMessage());
  }

  @Test
  void urlsWithoutCredentialsAreNotSealed() {
    assertNull(new CameraCredentials(SecretBox.ephemeral()).forRegister("cam", config("rtsp://h/s")).config().sealedSourceUrl());
  }

  @Test
  void aMaskedUrlGetsTheStoredCredentialsOnlyForTheSameHostAndUser() {
    assertEquals(Optional.of("rtsp://u:p@ss@h:554/other"), CameraCredentials.restore("rtsp://u:***@h:554/other", "rtsp://u:p@ss@h:554/s"));
    assertEquals(Optional.of("http://h/s?token=t1&x=1"), CameraCredentials.restore("http://h/s?token=***&x=1", "http://h/s?token=t1"));
    assertEquals(Optional.empty(), CameraCredentials.restore("rtsp://u:***@evil/s", "rtsp://u:p@h/s"));
    assertEquals(Optional.empty(), CameraCredentials.restore("rtsp://v:***@h/s", "rtsp://u:p@h/s"));
    assertEquals(Optional.empty(), CameraCredentials.restore("http://h/s?auth=***", "http://h/s?token=t1"));
  }

  @Test
  void aMaskedUrlIsRefusedOnRegistration() {
    var sealed = new CameraCredentials(SecretBox.ephemeral()).forRegister("cam", config("rtsp://u:***@h/s"));
    assertEquals("sourceUrl", sealed.problem().field());
  }
}
