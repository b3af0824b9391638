package gtvision.dashboard;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operators' dashboard: {@code /} (and {@code /index.html}) and {@code /assets/...}, plain JavaScript
 * modules and styles from the classpath ({@code src/main/resources/dashboard}), gzipped when the browser
 * accepts it. Every answer carries a Content-Security-Policy without inline script, so a camera name that
 * slipped into the page as markup could still not run. The page loads without a credential (it shows the
 * sign-in form); everything it shows comes from the API with the signed-in principal's token.
 */
public final class DashboardRoutes extends AllDirectives {
  static final String RESOURCES = "dashboard";
  private final List<HttpHeader> headers;
  private final HttpHeader assetCache;

  public DashboardRoutes(DashboardSettings settings) {
    this.headers = List.of(
        RawHeader.create("Content-Security-Policy", contentSecurityPolicy(settings)),
        RawHeader.create("X-Content-Type-Options", "nosniff"),
        RawHeader.create("Referrer-Policy", "no-referrer"),
        RawHeader.create("X-Frame-Options", "DENY"));
    this.assetCache = RawHeader.create("Cache-Control", "public, max-age=" + settings.assetMaxAge().toSeconds());
  }

  static String contentSecurityPolicy(DashboardSettings settings) {
    String media = settings.mediaMtxOrigin().map(o -> " " + o).orElse("");
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        + "connect-src 'self' ws: wss:" + media + "; media-src 'self' blob:" + media + "; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  }

  public Route route() {
    Route page = respondWithHeader(RawHeader.create("Cache-Control", "no-cache"),
        () -> getFromResource(RESOURCES + "/index.html", ContentTypes.TEXT_HTML_UTF8));
    return get(() -> encodeResponse(() -> respondWithHeaders(headers, () -> concat(
        pathSingleSlash(() -> page),
        path("index.html", () -> page),
        pathPrefix("assets", () -> respondWithHeader(assetCache,
            () -> getFromResourceDirectory(RESOURCES + "/assets")))))));
  }
}
