package gtvision.dashboard;

import com.typesafe.config.Config;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code gtv.dashboard}: how long browsers keep the assets, and where MediaMTX's players are when there is one;
 * with {@code gtv.auth.mode}, how the page signs in ({@code oidc}: at the provider, as {@link OidcSignIn}).
 */
public record DashboardSettings(Duration assetMaxAge, Optional<MediaMtx> mediaMtx, String authMode, Optional<OidcSignIn> oidc) {

  /**
   * MediaMTX's public base URLs: HLS ({@code <hls>/cam_<id>/index.m3u8}) and WebRTC signalling
   * ({@code <webRtc>/cam_<id>/whep}). They differ when each has its own port (8888 and 8889 behind the
   * shipped HAProxy); without a WebRTC URL of its own, WHEP is asked at the HLS one.
   */
  public record MediaMtx(String hls, String webRtc) {
    /** The origins the page's Content-Security-Policy lets it connect to and play from. */
    public List<String> origins() {
      return List.copyOf(new LinkedHashSet<>(List.of(origin(hls), origin(webRtc))));
    }
  }

  /**
   * The provider the page signs in at in oidc mode: public facts only (the client is public, PKCE instead
   * of a secret). {@code clientId} empty: not set up, the page says so.
   */
  public record OidcSignIn(String issuer, String clientId, List<String> scopes) {
    public String issuerOrigin() {
      return origin(issuer);
    }
  }

  public DashboardSettings(Duration assetMaxAge, Optional<MediaMtx> mediaMtx) {
    this(assetMaxAge, mediaMtx, "builtin", Optional.empty());
  }

  public static DashboardSettings from(Config config) {
    Config c = config.getConfig("gtv.dashboard");
    String hls = c.getString("mediamtx-url").trim();
    String webRtc = c.getString("mediamtx-webrtc-url").trim();
    if (hls.isEmpty() && !webRtc.isEmpty()) {
      throw new IllegalArgumentException("gtv.dashboard.mediamtx-webrtc-url is set but gtv.dashboard.mediamtx-url is empty: "
          + "the tiles fall back to HLS, so both are needed");
    }
    Optional<MediaMtx> mediaMtx = hls.isEmpty() ? Optional.empty()
        : Optional.of(new MediaMtx(base("mediamtx-url", hls), base("mediamtx-webrtc-url", webRtc.isEmpty() ? hls : webRtc)));
    String mode = config.hasPath("gtv.auth.mode") ? config.getString("gtv.auth.mode").strip().toLowerCase() : "builtin";
    Optional<OidcSignIn> oidc = mode.equals("oidc") ? Optional.of(oidcSignIn(config.getConfig("gtv.auth.oidc"))) : Optional.empty();
    return new DashboardSettings(c.getDuration("asset-max-age"), mediaMtx, mode, oidc);
  }

  private static OidcSignIn oidcSignIn(Config c) {
    // The issuer itself is checked by the node's verifier (OidcSettings), which refuses to start without it.
    String issuer = c.getString("issuer").strip().replaceAll("/+$", "");
    String clientId = c.hasPath("dashboard-client-id") ? c.getString("dashboard-client-id").strip() : "";
    String scopes = c.hasPath("dashboard-scopes") ? c.getString("dashboard-scopes") : "openid";
    List<String> asked = Stream.concat(Stream.of("openid"), Stream.of(scopes.strip().split("[\\s,]+")))
        .filter(s -> !s.isEmpty()).distinct().toList();
    return new OidcSignIn(issuer, clientId, asked);
  }

  /** {@code url} checked to be http(s) with a host, without a trailing slash (paths are appended to it). */
  static String base(String setting, String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("gtv.dashboard." + setting + " is not a URL: " + url, e);
    }
    if (uri.getScheme() == null || uri.getHost() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new IllegalArgumentException("gtv.dashboard." + setting + " must be an http or https URL: " + url);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("gtv.dashboard." + setting + " must be a base URL (no credentials, query or fragment): " + url);
    }
    return url.replaceAll("/+$", "");
  }

  /** The scheme, host and port of {@code url}: what a Content-Security-Policy source names. */
  static String origin(String url) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
  }
}
