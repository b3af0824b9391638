package gtvision.camera.stream;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * HTTP GET against a camera with its credentials from the URL's user info: Basic or Digest, chosen by
 * the camera's 401 challenge, the Digest nonce kept between requests. Blocking (HttpURLConnection has
 * read timeouts on the body, which streaming MJPEG needs): call it on the ingest dispatcher.
 */
final class HttpCamera {
  private final URI target;
  private final String user;
  private final String password;
  private final int connectTimeoutMs;
  private final int readTimeoutMs;
  private final SecureRandom random = new SecureRandom();
  private DigestAuth digest;
  private boolean basic;

  HttpCamera(String sourceUrl, Duration connectTimeout, Duration readTimeout) {
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
      return openOnce();
    } catch (SocketTimeoutException e) {
      throw new BadFrameException("no answer within the read timeout of " + readTimeoutMs + " ms");
    }
  }

  private Response openOnce() throws IOException {
    HttpURLConnection connection = connect();
    int status = connection.getResponseCode();
    if (status == 401 && user != null) {
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
        throw new BadFrameException("401 Unauthorized with an unsupported challenge: " + challenge);
      }
      // One retry with the fresh challenge: a first request, an expired nonce, or wrong credentials.
      connection = connect();
      status = connection.getResponseCode();
    }
    if (status == 401) {
      drain(connection);
      String scheme = digest != null ? "Digest" : basic ? "Basic" : "none sent";
      throw new BadFrameException("401 Unauthorized: the camera refused the credentials (" + scheme + ")");
    }
    if (status != 200) {
      drain(connection);
      throw new BadFrameException("HTTP " + status + " from the camera");
    }
    return new Response(connection, connection.getInputStream(), connection.getContentType(),
        connection.getContentLengthLong());
  }

  private HttpURLConnection connect() throws IOException {
    HttpURLConnection connection;
    try {
      connection = (HttpURLConnection) target.toURL().openConnection();
    } catch (IllegalArgumentException e) {
      throw new BadFrameException("bad camera URL: " + e.getMessage());
    }
    connection.setConnectTimeout(connectTimeoutMs);
    connection.setReadTimeout(readTimeoutMs);
    connection.setInstanceFollowRedirects(true);
    connection.setUseCaches(false);
    connection.setRequestProperty("Accept", "image/jpeg, multipart/x-mixed-replace, */*");
    if (digest != null) {
      String uri = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
      if (target.getRawQuery() != null) uri += "?" + target.getRawQuery();
      connection.setRequestProperty("Authorization", digest.authorization("GET", uri));
    } else if (basic) {
      String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      connection.setRequestProperty("Authorization", "Basic " + token);
    }
    try {
      connection.connect();
    } catch (UnknownHostException e) {
      throw new BadFrameException("unknown host " + e.getMessage());
    } catch (SocketTimeoutException e) {
      throw new BadFrameException("connect timed out after " + connectTimeoutMs + " ms");
    } catch (IOException e) {
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
