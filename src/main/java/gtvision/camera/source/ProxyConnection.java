package gtvision.camera.source;

import gtvision.camera.SourceKind;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection of the {@link SourceProxy}, on a relay thread: its request head read, its
 * session found, its target checked by the policy and connected at the checked address, then bytes
 * relayed. A plain HTTP request is forwarded with {@code Connection: close} (one request per connection,
 * so every request is checked on its own); a CONNECT becomes a tunnel. Answers the proxy gives itself
 * (400, 403, 405, 407, 502, 504) carry the node's words only.
 */
final class ProxyConnection {
  private static final int BUFFER = 16 * 1024;

  private final SourceProxy proxy;
  private final Socket client;
  private final long idleNanos;
  private final int idleTimeoutMs;

  ProxyConnection(SourceProxy proxy, Socket client) {
    this.proxy = proxy;
    this.client = client;
    this.idleNanos = proxy.settings().idleTimeout().toNanos();
    this.idleTimeoutMs = (int) Math.min(Integer.MAX_VALUE, proxy.settings().idleTimeout().toMillis());
  }

  void run() {
    try {
      client.setSoTimeout(idleTimeoutMs);
      InputStream in = new BufferedInputStream(client.getInputStream(), BUFFER);
      OutputStream out = client.getOutputStream();
      HttpHead request;
      try {
        request = HttpHead.read(in, proxy.settings().maxHeadBytes());
      } catch (HttpHead.BadHead e) {
        reject(out, 400, "Bad Request", "bad request: " + e.getMessage());
        return;
      }
      if (request == null) return;
      String[] line = request.startLine().split(" ", -1);
      if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
        reject(out, 400, "Bad Request", "bad request line");
        return;
      }
      String credentials = request.field("Proxy-Authorization").orElse(null);
      ProxySession session = proxy.session(credentials);
      if (session == null) {
        // FFmpeg sends its proxy credentials only when challenged: a first request without them is normal.
        proxy.counted(credentials == null ? "challenged" : "rejected");
        reply(out, 407, "Proxy Authentication Required", "camera source proxy: a session's credentials are needed",
            "Proxy-Authenticate: Basic realm=\"gtv-source-proxy\"\r\n");
        return;
      }
      if (session.refusal().isPresent()) {
        proxy.counted("refused");
        reply(out, 403, "Forbidden", session.refusal().get(), "");
        return;
      }
      String method = line[0];
      if (method.equals("CONNECT")) {
        tunnel(session, line[1], in, out);
      } else if (method.equals("GET") || method.equals("HEAD")) {
        forward(session, request, method, line[1], line[2], out);
      } else {
        reject(out, 405, "Method Not Allowed", "camera source proxy: only GET, HEAD and CONNECT");
      }
    } catch (IOException e) {
      // The client or the target went away mid-relay: the connection ends, FFmpeg sees it and says so.
    }
  }

  private void forward(ProxySession session, HttpHead request, String method, String requestTarget, String version,
      OutputStream out) throws IOException {
    URI uri;
    try {
      uri = new URI(requestTarget);
    } catch (URISyntaxException e) {
      reject(out, 400, "Bad Request", "bad request target");
      return;
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      reject(out, 400, "Bad Request", "camera source proxy: absolute http:// URLs only (https through CONNECT)");
      return;
    }
    if (request.has("Transfer-Encoding") || !request.field("Content-Length").map(v -> v.equals("0")).orElse(true)) {
      reject(out, 400, "Bad Request", "camera source proxy: request bodies are not relayed");
      return;
    }
    Upstream target = connect(session, uri, out);
    if (target == null) return;
    Socket upstream = target.socket();
    try {
      InputStream upIn = new BufferedInputStream(upstream.getInputStream(), BUFFER);
      OutputStream upOut = upstream.getOutputStream();
      String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      // The Host a proxy sends is the target's (RFC 9112 3.2.2), never what the client claimed.
      request.forNextHop(method + " " + path + " " + version, Set.of("Host"))
          .with("Host", target.checked().hostHeader())
          .with("Connection", "close")
          .write(upOut);
      upOut.flush();
      HttpHead response;
      String what = session.describe(uri.getHost(), target.checked().port(), path(uri)) + " host '" + target.checked().host() + "'";
      String why = what + " sent no valid HTTP response";
      try {
        response = HttpHead.read(upIn, proxy.settings().maxHeadBytes());
      } catch (HttpHead.BadHead e) {
        response = null;
      } catch (SocketTimeoutException e) {
        response = null;
        why = what + ": no response within " + idleTimeoutMs + " ms";
      }
      if (response == null || !response.startLine().startsWith("HTTP/1.")) {
        session.failed(why);
        proxy.counted("failed");
        reply(out, 502, "Bad Gateway", why, "");
        return;
      }
      session.reached();
      proxy.counted("forwarded");
      response.forNextHop(response.startLine(), Set.of()).with("Connection", "close").write(out);
      relay(upIn, out, new AtomicLong(System.nanoTime()));
      out.flush();
    } finally {
      proxy.untrack(upstream);
      SourceProxy.closeQuietly(upstream);
    }
  }

  private void tunnel(ProxySession session, String authority, InputStream in, OutputStream out) throws IOException {
    URI uri;
    try {
      uri = new URI("https://" + authority + "/");
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null || uri.getPort() < 1 || uri.getRawUserInfo() != null
        || !authority.equals(uri.getRawAuthority())) {
      reject(out, 400, "Bad Request", "camera source proxy: CONNECT needs host:port");
      return;
    }
    Upstream target = connect(session, uri, out);
    if (target == null) return;
    Socket upstream = target.socket();
    try {
      session.reached();
      proxy.counted("tunnelled");
      out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      AtomicLong activity = new AtomicLong(System.nanoTime());
      // The tunnel's reads wake up often to look at the other direction: a download keeps an idle
      // upload direction alive, and the idle timeout counts silence in both.
      int wake = Math.max(250, idleTimeoutMs / 4);
      client.setSoTimeout(wake);
      upstream.setSoTimeout(wake);
      InputStream upIn = upstream.getInputStream();
      OutputStream upOut = upstream.getOutputStream();
      Future<?> down = proxy.workers().submit(() -> {
        try {
          relay(upIn, out, activity);
          client.shutdownOutput();
        } catch (IOException e) {
          SourceProxy.closeQuietly(client);
          SourceProxy.closeQuietly(upstream);
        }
      });
      try {
        relay(in, upOut, activity);
        upstream.shutdownOutput();
        down.get();
      } catch (IOException e) {
        SourceProxy.closeQuietly(upstream);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        // The other direction failed: both sockets are closed already.
      }
    } finally {
      proxy.untrack(upstream);
      SourceProxy.closeQuietly(upstream);
    }
  }

  /** The path a request names; none for a tunnel (its URI is made up from host and port). */
  private static String path(URI uri) {
    return "https".equals(uri.getScheme()) ? null : uri.getRawPath();
  }

  /** The policy's verdict on {@code uri}; a refusal is kept in the session (null return). */
  private CheckedSource check(ProxySession session, URI uri) {
    try {
      return proxy.policy().check(uri, SourceKind.HLS);
    } catch (SourceRefusedException e) {
      session.refused(session.describe(uri.getHost(), SourcePolicy.port(uri), path(uri)) + " " + e.getMessage());
      return null;
    }
  }

  /** A connection to the address the policy checked, and that check. */
  private record Upstream(Socket socket, CheckedSource checked) {}

  /** A connection to the checked address of {@code uri}, or null after answering why not. */
  private Upstream connect(ProxySession session, URI uri, OutputStream out) throws IOException {
    CheckedSource checked = check(session, uri);
    if (checked == null) {
      proxy.counted("refused");
      reply(out, 403, "Forbidden", session.refusal().orElse("refused by the camera source policy"), "");
      return null;
    }
    String what = session.describe(uri.getHost(), checked.port(), path(uri)) + " host '" + checked.host() + "'";
    Socket upstream = new Socket();
    proxy.track(upstream);
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, proxy.settings().connectTimeout().toMillis());
    try {
      // Pinned: the address the policy checked, never the name again.
      upstream.connect(new InetSocketAddress(checked.address(), checked.port()), timeoutMs);
      upstream.setSoTimeout(idleTimeoutMs);
      return new Upstream(upstream, checked);
    } catch (SocketTimeoutException e) {
      return unreachable(session, upstream, out, 504, "Gateway Timeout", what + ": no connection within " + timeoutMs + " ms");
    } catch (ConnectException e) {
      return unreachable(session, upstream, out, 502, "Bad Gateway", what + ": connection refused");
    } catch (IOException e) {
      return unreachable(session, upstream, out, 502, "Bad Gateway", what + ": cannot connect (" + e.getClass().getSimpleName() + ")");
    }
  }

  private Upstream unreachable(ProxySession session, Socket upstream, OutputStream out, int status, String phrase, String why)
      throws IOException {
    proxy.untrack(upstream);
    SourceProxy.closeQuietly(upstream);
    session.failed(why);
    proxy.counted("failed");
    reply(out, status, phrase, why, "");
    return null;
  }

  /** Copies until end of stream, or until neither direction moved for the idle timeout. */
  private void relay(InputStream from, OutputStream to, AtomicLong activity) throws IOException {
    byte[] buffer = new byte[BUFFER];
    while (true) {
      int n;
      try {
        n = from.read(buffer);
      } catch (SocketTimeoutException e) {
        if (System.nanoTime() - activity.get() < idleNanos) continue;
        return;
      }
      if (n < 0) return;
      to.write(buffer, 0, n);
      to.flush();
      activity.set(System.nanoTime());
    }
  }

  private void reject(OutputStream out, int status, String phrase, String body) throws IOException {
    proxy.counted("rejected");
    reply(out, status, phrase, body, "");
  }

  static void reply(OutputStream out, int status, String phrase, String body, String extraHeaders) throws IOException {
    byte[] text = (body + "\n").getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + " " + phrase + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + text.length + "\r\nConnection: close\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(text);
    out.flush();
  }
}
