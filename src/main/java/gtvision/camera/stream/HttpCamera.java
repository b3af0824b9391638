package gtvision.camera.stream;

import gtvision.camera.SourceKind;
import gtvision.camera.source.CheckedSource;
import gtvision.camera.source.SourcePolicy;
import gtvision.camera.source.SourceRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;

/**
 * HTTP GET against a camera with its credentials from the URL's user info: Basic or Digest, chosen by
 * the camera's 401 challenge, the Digest nonce kept between requests. Blocking (HttpURLConnection has
 * read timeouts on the body, which streaming MJPEG needs): call it on the ingest dispatcher.
 *
 * <p>Every request first passes the {@link SourcePolicy} (the name resolved, every address checked) and
 * then connects to the checked address with the original Host header, so DNS cannot answer differently
 * between check and connect. Redirects are followed here, not by the JDK: at most {@link #MAX_REDIRECTS},
 * each target checked the same way, and credentials go only to the origin the client configured.
 * Errors say what went wrong in our words; nothing a server sent (reason phrase, headers, body) is quoted.
 */
final class HttpCamera {
  static final int MAX_REDIRECTS = 5;

  private final URI target;
  private final String user;
  private final String password;
  private final int connectTimeoutMs;
  private final int readTimeoutMs;
  private final SourcePolicy policy;
  private final SecureRandom random = new SecureRandom();
  private DigestAuth digest;
  private boolean basic;
  private String lastLocation;

  HttpCamera(String sourceUrl, Duration connectTimeout, Duration readTimeout, SourcePolicy policy) {
    URI uri = URI.create(sourceUrl);
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
    } else {
      user = null;
      password = null;
    }
    try {
      target = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getRawPath() == null ? null : uri.getPath(),
          uri.getQuery(), null);
    } catch (URISyntaxException e) {
      throw new BadFrameException("bad camera URL at index " + e.getIndex());
    }
    this.connectTimeoutMs = (int) connectTimeout.toMillis();
    this.readTimeoutMs = (int) readTimeout.toMillis();
    this.policy = policy;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** An open 200 response; the caller reads and closes it. */
  record Response(HttpURLConnection connection, InputStream body, String contentType, long contentLength)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        body.close();
      } catch (IOException e) {
        connection.disconnect();
      }
    }
  }

  /** Opens the resource, answering a 401 challenge once; throws {@link BadFrameException} with a clear reason. */
  Response open() throws IOException {
    try {
      return follow();
    } catch (SocketTimeoutException e) {
      throw new BadFrameException("no answer within the read timeout of " + readTimeoutMs + " ms");
    }
  }

  private Response follow() throws IOException {
    URI current = target;
    CheckedSource checked = check(current, false);
    for (int redirects = 0; ; redirects++) {
      Response response = openOnce(checked, sameOrigin(current, target));
      if (response != null) return response;
      // openOnce answered null: a redirect, its Location kept in lastLocation.
      if (redirects == MAX_REDIRECTS) throw new BadFrameException("more than " + MAX_REDIRECTS + " redirects");
      URI next;
      try {
        next = current.resolve(new URI(lastLocation));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new BadFrameException("redirect to an invalid URL");
      }
      String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new BadFrameException("redirect to a refused address (not http or https)");
      }
      checked = check(next, true);
      current = next;
    }
  }

  private CheckedSource check(URI uri, boolean redirect) {
    try {
      return policy.check(uri, SourceKind.SNAPSHOT);
    } catch (SourceRefusedException e) {
      // After a redirect the host came from the server: say which rule refused it, not the address.
      throw new BadFrameException(redirect
          ? "redirect to a refused address (" + e.reason() + ")"
          : "source refused by the camera source policy: " + e.getMessage());
    }
  }

  /** The 200 response, or null for a redirect (its Location in {@link #lastLocation}). */
  private Response openOnce(CheckedSource checked, boolean sendCredentials) throws IOException {
    HttpURLConnection connection = connect(checked, sendCredentials);
    int status = connection.getResponseCode();
    if (status == 401 && user != null && sendCredentials) {
      String challenge = connection.getHeaderField("WWW-Authenticate");
      drain(connection);
      DigestAuth offered = DigestAuth.fromChallenge(challenge, user, password, random);
      if (offered != null) {
        digest = offered;
        basic = false;
      } else if (challenge != null && challenge.regionMatches(true, 0, "Basic", 0, 5)) {
        digest = null;
        basic = true;
      } else {
        throw new BadFrameException("401 Unauthorized with an unsupported authentication scheme (neither Basic nor Digest)");
      }
      // One retry with the fresh challenge: a first request, an expired nonce, or wrong credentials.
      connection = connect(checked, true);
      status = connection.getResponseCode();
    }
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      lastLocation = connection.getHeaderField("Location");
      drain(connection);
      if (lastLocation == null) throw new BadFrameException("HTTP status " + status + " redirect without a Location");
      return null;
    }
    if (status == 401) {
      drain(connection);
      String scheme = !sendCredentials ? "none sent to a redirected origin" : digest != null ? "Digest" : basic ? "Basic" : "none sent";
      throw new BadFrameException("401 Unauthorized: the camera refused the credentials (" + scheme + ")");
    }
    if (status != 200) {
      drain(connection);
      throw new BadFrameException("HTTP status " + status + " from the camera");
    }
    return new Response(connection, connection.getInputStream(), connection.getContentType(),
        connection.getContentLengthLong());
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
        && SourcePolicy.port(a) == SourcePolicy.port(b);
  }

  private HttpURLConnection connect(CheckedSource checked, boolean sendCredentials) throws IOException {
    URI uri = checked.uri();
    HttpURLConnection connection;
    try {
      // The checked address, not the name: the Host header (and TLS's SNI) carry the name.
      connection = (HttpURLConnection) URI.create(checked.pinnedUrl()).toURL().openConnection();
    } catch (IllegalArgumentException e) {
      throw new BadFrameException("bad camera URL");
    }
    connection.setRequestProperty("Host", checked.hostHeader());
    if (connection instanceof HttpsURLConnection https) {
      https.setSSLSocketFactory(new PinnedTls(https.getSSLSocketFactory(), checked.host()));
    }
    connection.setConnectTimeout(connectTimeoutMs);
    connection.setReadTimeout(readTimeoutMs);
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    connection.setRequestProperty("Accept", "image/jpeg, multipart/x-mixed-replace, */*");
    if (sendCredentials && digest != null) {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) path += "?" + uri.getRawQuery();
      connection.setRequestProperty("Authorization", digest.authorization("GET", path));
    } else if (sendCredentials && basic) {
      String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      connection.setRequestProperty("Authorization", "Basic " + token);
    }
    try {
      connection.connect();
    } catch (SocketTimeoutException e) {
      throw new BadFrameException("connect timed out after " + connectTimeoutMs + " ms");
    } catch (ConnectException e) {
      throw new BadFrameException("connection refused");
    } catch (SSLException e) {
      throw new BadFrameException("TLS handshake failed (certificate not trusted or not issued for this host)");
    } catch (IOException e) {
      // Raised by this node's network stack (no route, reset), not text from the camera.
      throw new BadFrameException("cannot connect: " + e.getMessage());
    }
    return connection;
  }

  private static void drain(HttpURLConnection connection) {
    try (InputStream err = connection.getErrorStream() != null ? connection.getErrorStream() : connection.getInputStream()) {
      if (err != null) err.readNBytes(64 * 1024);
    } catch (IOException ignored) {
      // The body of an error answer is not needed; the status already says what happened.
      connection.disconnect();
    }
  }

  /** Reads the whole body, refusing bodies above {@code maxBytes} before reading them where the length is known. */
  static byte[] readLimited(Response response, long maxBytes) throws IOException {
    if (response.contentLength() > maxBytes) {
      response.connection().disconnect();
      throw new BadFrameException("image of " + response.contentLength() + " bytes is larger than the limit of " + maxBytes);
    }
    byte[] body = response.body().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (body.length > maxBytes) {
      response.connection().disconnect();
      throw new BadFrameException("image larger than the limit of " + maxBytes + " bytes");
    }
    return body;
  }
}
