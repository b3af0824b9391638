package gtvision.dashboard;

import gtvision.http.Json;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.webjars.WebJarVersionLocator;

/**
 * The operators' dashboard: {@code /} (and {@code /index.html}) and {@code /assets/...}, plain JavaScript
 * modules and styles from the classpath ({@code src/main/resources/dashboard}), gzipped when the browser
 * accepts it. Every answer carries a Content-Security-Policy without inline script, so a camera name that
 * slipped into the page as markup could still not run. The page loads without a credential (it shows the
 * sign-in form); everything it shows comes from the API with the signed-in principal's token, starting
 * with {@code GET /api/dashboard/config} (where MediaMTX is, and the HLS player's script). Before that, the
 * page asks the open {@code GET /api/dashboard/signin} how to sign in: the built-in form, or in oidc mode
 * the provider's authorisation-code flow with PKCE (public facts only: issuer, client id, scopes).
 *
 * <p>hls.js comes from its WebJar and is served under its version ({@code /assets/vendor/hls.js/1.4.12/hls.min.js},
 * cached for good): the page loads it only when a tile falls back to HLS, so it is not part of the first load.
 */
public final class DashboardRoutes extends AllDirectives {
  static final String RESOURCES = "dashboard";
  static final String HLS_JS_FILE = "hls.min.js";
  private final DashboardSettings settings;
  private final Json json;
  private final List<HttpHeader> headers;
  private final HttpHeader assetCache;
  private final String hlsJsVersion;
  private final String hlsJsResource;

  /** What the page learns after sign-in; {@code mediaMtx} null: the tiles show the node's newest frame. */
  public record Config(DashboardSettings.MediaMtx mediaMtx, String hlsJs) {}

  /** How the page signs in: the node's mode and, in oidc mode, where ({@code oidc} null otherwise). */
  public record SignIn(String mode, DashboardSettings.OidcSignIn oidc) {}

  public DashboardRoutes(DashboardSettings settings, Json json) {
    this.settings = settings;
    this.json = json;
    this.headers = List.of(
        RawHeader.create("Content-Security-Policy", contentSecurityPolicy(settings)),
        RawHeader.create("X-Content-Type-Options", "nosniff"),
        RawHeader.create("Referrer-Policy", "no-referrer"),
        RawHeader.create("X-Frame-Options", "DENY"));
    this.assetCache = RawHeader.create("Cache-Control", "public, max-age=" + settings.assetMaxAge().toSeconds());
    this.hlsJsVersion = new WebJarVersionLocator().version("hls.js");
    if (hlsJsVersion == null) {
      throw new IllegalStateException("hls.js (org.webjars.npm:hls.js) is not on the class path; the dashboard's HLS player needs it");
    }
    this.hlsJsResource = WebJarVersionLocator.WEBJARS_PATH_PREFIX + "/hls.js/" + hlsJsVersion + "/dist/" + HLS_JS_FILE;
  }

  /**
   * MediaMTX's origins are added to connect-src (WHEP's POST, hls.js's playlist and segment requests) and
   * media-src, and nothing else: hls.js runs without its blob: worker, so script-src and worker-src stay 'self'.
   * In oidc mode the provider's origin is added to connect-src only (discovery, token and refresh are
   * fetched; the sign-in page itself is a top-level navigation, which the policy does not govern).
   */
  static String contentSecurityPolicy(DashboardSettings settings) {
    String media = settings.mediaMtx().map(m -> m.origins().stream().map(o -> " " + o).collect(Collectors.joining())).orElse("");
    String provider = settings.oidc().map(o -> " " + o.issuerOrigin()).orElse("");
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        + "connect-src 'self' ws: wss:" + media + provider + "; media-src 'self' blob:" + media + "; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  }

  public String hlsJsPath() {
    return "/assets/vendor/hls.js/" + hlsJsVersion + "/" + HLS_JS_FILE;
  }

  public Route route() {
    Route page = respondWithHeader(RawHeader.create("Cache-Control", "no-cache"),
        () -> getFromResource(RESOURCES + "/index.html", ContentTypes.TEXT_HTML_UTF8));
    HttpHeader immutable = RawHeader.create("Cache-Control", "public, max-age=31536000, immutable");
    Route vendor = path(PathMatchers.segment("hls.js").slash(hlsJsVersion).slash(HLS_JS_FILE),
        () -> respondWithHeader(immutable, () -> getFromResource(hlsJsResource)));
    Config config = new Config(settings.mediaMtx().orElse(null), hlsJsPath());
    Route configRoute = path(PathMatchers.segment("api").slash("dashboard").slash("config"),
        () -> respondWithHeader(RawHeader.create("Cache-Control", "no-cache"),
            () -> complete(StatusCodes.OK, config, json.<Config>marshaller())));
    SignIn signIn = new SignIn(settings.authMode(), settings.oidc().orElse(null));
    Route signInRoute = path(PathMatchers.segment("api").slash("dashboard").slash("signin"),
        () -> respondWithHeader(RawHeader.create("Cache-Control", "no-cache"),
            () -> complete(StatusCodes.OK, signIn, json.<SignIn>marshaller())));
    return get(() -> encodeResponse(() -> concat(
        configRoute,
        signInRoute,
        respondWithHeaders(headers, () -> concat(
            pathSingleSlash(() -> page),
            path("index.html", () -> page),
            pathPrefix("assets", () -> concat(
                pathPrefix("vendor", () -> vendor),
                respondWithHeader(assetCache, () -> getFromResourceDirectory(RESOURCES + "/assets")))))))));
  }
}
