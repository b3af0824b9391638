package gtvision.apidocs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.webjars.WebJarVersionLocator;

/**
 * {@code GET /api/openapi.json}: the hand-written OpenAPI 3.1 description of the whole API
 * ({@code src/main/resources/openapi/openapi.json}); {@code GET /api/docs}: Swagger UI on it, from the
 * {@code org.webjars:swagger-ui} jar on the class path. Swagger UI's files are served under their version
 * ({@code /api/docs/5.35.0/...}) so that browsers may keep them; only the few the page loads are served,
 * not the webjar's sample page that points at a public pet store.
 */
public final class ApiDocsRoutes extends AllDirectives {
  static final String DESCRIPTION = "openapi/openapi.json";
  private static final String PAGE = "openapi/docs/index.html";
  private static final String INIT = "openapi/docs/init.js";
  private static final Set<String> SWAGGER_FILES =
      Set.of("swagger-ui.css", "swagger-ui-bundle.js", "index.css", "favicon-16x16.png", "favicon-32x32.png");

  /**
   * The dashboard's policy, less its media and WebSocket sources: Swagger UI runs no inline or eval'd
   * script and sets its styles from script (which style-src 'self' allows); its icons are data: URLs.
   * ApiDocsBrowserTest loads the page in Chromium and fails on any violation.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      + "frame-ancestors 'none'";

  private final String version;
  private final String webjarDir;
  private final String page;
  private final List<HttpHeader> headers = List.of(
      RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("X-Frame-Options", "DENY"));

  public ApiDocsRoutes() {
    WebJarVersionLocator locator = new WebJarVersionLocator();
    this.version = locator.version("swagger-ui");
    if (version == null) {
      throw new IllegalStateException("Swagger UI (org.webjars:swagger-ui) is not on the class path; /api/docs needs it");
    }
    this.webjarDir = WebJarVersionLocator.WEBJARS_PATH_PREFIX + "/swagger-ui/" + version + "/";
    if (getClass().getClassLoader().getResource(DESCRIPTION) == null) {
      throw new IllegalStateException(DESCRIPTION + " is not on the class path");
    }
    this.page = resource(PAGE).replace("{{swagger-ui}}", "/api/docs/" + version);
  }

  /** The version of Swagger UI served (the webjar's). */
  public String swaggerUiVersion() {
    return version;
  }

  public Route route() {
    HttpHeader revalidate = RawHeader.create("Cache-Control", "no-cache");
    HttpHeader immutable = RawHeader.create("Cache-Control", "public, max-age=31536000, immutable");
    Route description = respondWithHeader(revalidate, () -> getFromResource(DESCRIPTION, ContentTypes.APPLICATION_JSON));
    Route docs = respondWithHeaders(headers, () -> concat(
        pathEndOrSingleSlash(() -> respondWithHeader(revalidate,
            () -> complete(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, page)))),
        path("init.js", () -> respondWithHeader(revalidate, () -> getFromResource(INIT))),
        path(PathMatchers.segment(version).slash(PathMatchers.segment()), file -> SWAGGER_FILES.contains(file)
            ? respondWithHeader(immutable, () -> getFromResource(webjarDir + file))
            : reject())));
    return pathPrefix("api", () -> get(() -> encodeResponse(() -> concat(
        path("openapi.json", () -> description),
        pathPrefix("docs", () -> docs)))));
  }

  private static String resource(String name) {
    try (InputStream in = ApiDocsRoutes.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException(name + " is not on the class path");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
