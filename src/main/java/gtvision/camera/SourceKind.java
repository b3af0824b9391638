package gtvision.camera;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** How frames are pulled from a camera, and which URL schemes each way accepts. */
public enum SourceKind {
  RTSP(Set.of("rtsp", "rtsps")),
  HLS(Set.of("http", "https")),
  SNAPSHOT(Set.of("http", "https")),
  MJPEG(Set.of("http", "https")),
  FILE(Set.of("file"));

  private final Set<String> schemes;

  SourceKind(Set<String> schemes) {
    this.schemes = schemes;
  }

  public boolean accepts(String scheme) {
    return scheme != null && schemes.contains(scheme.toLowerCase(Locale.ROOT));
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SourceKind> fromWireName(String name) {
    return Arrays.stream(values()).filter(k -> k.wireName().equals(name)).findFirst();
  }
}
