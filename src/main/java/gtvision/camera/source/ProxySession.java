package gtvision.camera.source;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One FFmpeg input's use of the {@link SourceProxy}: its own proxy credentials (so the proxy knows whose
 * request it is and nobody else on the host can use it), and what the proxy refused or could not reach
 * for it, in the node's words, for the camera's error. A refusal sticks: every later request of the
 * session is refused too, so the stream fails with that reason instead of skipping segments quietly.
 */
public final class ProxySession implements AutoCloseable {
  static final String USER = "gtv";

  private final SourceProxy proxy;
  private final String token;
  private final URI source;
  private volatile String refusal;
  private volatile String failure;

  ProxySession(SourceProxy proxy, String token, URI source) {
    this.proxy = proxy;
    this.token = token;
    this.source = source;
  }

  /** FFmpeg's {@code http_proxy} option. Holds this session's secret: never logged or shown. */
  public String proxyUrl() {
    return "http://" + USER + ":" + token + "@127.0.0.1:" + proxy.port();
  }

  /** Why the proxy refused a request of this session ("HLS segment host 'x' is refused: ..."), once it did. */
  public Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** Why the latest request could not reach its host (connection refused, timeout), until one succeeds. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  String token() {
    return token;
  }

  /**
   * "HLS playlist" for the camera's own URL, "HLS segment" for anything else a playlist names (segments,
   * keys, variant playlists). A tunnel shows only host and port: the camera's own count as its playlist.
   */
  String describe(String host, int port, String rawPath) {
    boolean sameHost = source.getHost() != null && unbracket(source.getHost()).equals(unbracket(host))
        && SourcePolicy.port(source) == port;
    boolean samePath = rawPath == null || Objects.equals(source.getRawPath(), rawPath);
    return sameHost && samePath ? "HLS playlist" : "HLS segment";
  }

  private static String unbracket(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.toLowerCase(Locale.ROOT);
  }

  void refused(String message) {
    if (refusal == null) refusal = message;
  }

  void failed(String message) {
    failure = message;
  }

  void reached() {
    failure = null;
  }

  @Override
  public void close() {
    proxy.forget(this);
  }
}
