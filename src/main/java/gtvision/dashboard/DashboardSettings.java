package gtvision.dashboard;

import com.typesafe.config.Config;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** {@code gtv.dashboard}: how long browsers keep the assets, and MediaMTX's origin when there is one. */
public record DashboardSettings(Duration assetMaxAge, Optional<String> mediaMtxOrigin) {

  public static DashboardSettings from(Config config) {
    Config c = config.getConfig("gtv.dashboard");
    String url = c.getString("mediamtx-url").trim();
    return new DashboardSettings(c.getDuration("asset-max-age"), url.isEmpty() ? Optional.empty() : Optional.of(origin(url)));
  }

  /** The scheme, host and port of {@code url}: what a Content-Security-Policy source names. */
  static String origin(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("gtv.dashboard.mediamtx-url is not a URL: " + url, e);
    }
    if (uri.getScheme() == null || uri.getHost() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new IllegalArgumentException("gtv.dashboard.mediamtx-url must be an http or https URL: " + url);
    }
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
  }
}
