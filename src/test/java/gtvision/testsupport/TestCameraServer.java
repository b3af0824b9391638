package gtvision.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A real HTTP camera on a free port (the JDK's HttpServer), serving what IP cameras serve and what
 * broken ones do:
 * <ul>
 *   <li>{@code /snapshot.jpg}: the next frame of {@code frames} (cycling); {@code /still.jpg}: always the first</li>
 *   <li>{@code /digest/snapshot.jpg}: the same behind Digest auth (qop=auth, MD5); {@code /basic/snapshot.jpg}: Basic</li>
 *   <li>{@code /mjpeg}: multipart/x-mixed-replace at {@code mjpegFps}, parts with Content-Length;
 *       {@code /mjpeg-nolength}: parts without it; {@code /mjpeg-short}: three parts, then the camera ends the
 *       stream (every connection starts afresh, as after a camera's reboot)</li>
 *   <li>{@code /flaky.jpg}: in turn a good frame, a JPEG without a frame header and a JPEG cut off
 *       before its scan (its header parses, it does not decode); {@code /mjpeg-flaky}: MJPEG whose every
 *       other part is such a damaged JPEG</li>
 *   <li>{@code /html}: a login page; {@code /empty.jpg}: 0 bytes; {@code /huge.jpg}: 50 MB, streamed without a length</li>
 *   <li>{@code /files/...}: files under {@code filesRoot} (HLS playlists and segments)</li>
 * </ul>
 */
public final class TestCameraServer implements AutoCloseable {
  public static final String USER = "admin";
  public static final String PASSWORD = "s3cr3t:pw";
  private static final String REALM = "IP Camera";
  /** Threads serving camera requests are named with this prefix. */
  public static final String THREAD_PREFIX = "test-camera-http-";
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final HttpServer server;
  // Named threads: the ingestion benchmark tells the camera side's CPU from the node's by thread name.
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, THREAD_PREFIX + THREADS.incrementAndGet());
    t.setDaemon(true);
    return t;
  });
  private final List<byte[]> frames;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger flakyNext = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();
  private final int mjpegFps;
  private final Path filesRoot;

  public TestCameraServer(List<byte[]> frames, int mjpegFps, Path filesRoot) throws IOException {
    this.frames = frames;
    this.mjpegFps = mjpegFps;
    this.filesRoot = filesRoot;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/snapshot.jpg", ex -> jpeg(ex, nextFrame()));
    server.createContext("/still.jpg", ex -> jpeg(ex, frames.get(0)));
    server.createContext("/digest/snapshot.jpg", ex -> {
      if (digestOk(ex)) jpeg(ex, nextFrame());
    });
    server.createContext("/basic/snapshot.jpg", ex -> {
      if (basicOk(ex)) jpeg(ex, nextFrame());
    });
    server.createContext("/mjpeg", ex -> mjpeg(ex, true, Integer.MAX_VALUE));
    server.createContext("/mjpeg-nolength", ex -> mjpeg(ex, false, Integer.MAX_VALUE));
    server.createContext("/mjpeg-short", ex -> mjpeg(ex, true, 3));
    server.createContext("/flaky.jpg", ex -> jpeg(ex, flakyFrame()));
    server.createContext("/mjpeg-flaky", this::mjpegFlaky);
    server.createContext("/html", ex -> send(ex, 200, "text/html", "<!DOCTYPE html><html><body>Login</body></html>".getBytes(StandardCharsets.UTF_8)));
    server.createContext("/empty.jpg", ex -> send(ex, 200, "image/jpeg", new byte[0]));
    server.createContext("/huge.jpg", this::huge);
    server.createContext("/files/", this::file);
    server.setExecutor(executor);
    server.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The same URL with credentials in it, as cameras are registered. */
  public String url(String user, String password, String path) {
    return "http://" + user + ":" + password.replace(":", "%3A") + "@127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public long requests() {
    return requests.get();
  }

  private byte[] nextFrame() {
    return frames.get(Math.floorMod(next.getAndIncrement(), frames.size()));
  }

  private byte[] flakyFrame() {
    int n = flakyNext.getAndIncrement();
    byte[] good = frames.get(Math.floorMod(n / 3, frames.size()));
    return switch (n % 3) {
      case 0 -> good;
      case 1 -> withoutFrameHeader();
      default -> cutBeforeScan(good);
    };
  }

  /** Starts like a JPEG (SOI) but the rest is noise: no frame header to be found. */
  public static byte[] withoutFrameHeader() {
    byte[] out = new byte[4096];
    out[0] = (byte) 0xFF;
    out[1] = (byte) 0xD8;
    for (int i = 2; i < out.length; i++) out[i] = (byte) (i * 31);
    for (int i = 2; i < out.length; i++) if (out[i] == (byte) 0xFF) out[i] = 0;
    return out;
  }

  /** The JPEG's headers (its size is readable) without the compressed picture: it cannot be decoded. */
  public static byte[] cutBeforeScan(byte[] jpeg) {
    for (int i = 2; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xDA) return Arrays.copyOf(jpeg, i);
    }
    throw new IllegalArgumentException("no start of scan in the JPEG");
  }

  private void mjpegFlaky(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    ex.getResponseHeaders().set("Content-Type", "multipart/x-mixed-replace; boundary=flaky");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      for (int n = 0; ; n++) {
        byte[] frame = n % 2 == 0 ? nextFrame() : (n % 4 == 1 ? withoutFrameHeader() : cutBeforeScan(frames.get(0)));
        out.write(("--flaky\r\nContent-Type: image/jpeg\r\nContent-Length: " + frame.length + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.write(frame);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(1000L / mjpegFps);
      }
    } catch (IOException | InterruptedException e) {
      // The client went away: the stream ends.
    }
  }

  private void jpeg(HttpExchange ex, byte[] body) throws IOException {
    send(ex, 200, "image/jpeg", body);
  }

  private void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    requests.incrementAndGet();
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private boolean basicOk(HttpExchange ex) throws IOException {
    String expected = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    if (expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) return true;
    ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
    send(ex, 401, "text/plain", "unauthorized".getBytes(StandardCharsets.UTF_8));
    return false;
  }

  /** Checks the Digest response the way a camera does (RFC 7616, MD5, qop=auth). */
  private boolean digestOk(HttpExchange ex) throws IOException {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.startsWith("Digest ")) {
      Map<String, String> p = params(header.substring(7));
      String ha1 = md5(p.get("username") + ":" + REALM + ":" + PASSWORD);
      String ha2 = md5("GET:" + ex.getRequestURI().toString());
      String expected = md5(ha1 + ":" + p.get("nonce") + ":" + p.get("nc") + ":" + p.get("cnonce") + ":auth:" + ha2);
      if (USER.equals(p.get("username")) && "auth".equals(p.get("qop")) && expected.equals(p.get("response"))
          && ex.getRequestURI().toString().equals(p.get("uri"))) {
        return true;
      }
    }
    ex.getResponseHeaders().set("WWW-Authenticate",
        "Digest realm=\"" + REALM + "\", qop=\"auth,auth-int\", nonce=\"" + UUID.randomUUID() + "\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=MD5");
    send(ex, 401, "text/plain", "unauthorized".getBytes(StandardCharsets.UTF_8));
    return false;
  }

  private static Map<String, String> params(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : text.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
      int eq = part.indexOf('=');
      if (eq < 0) continue;
      String value = part.substring(eq + 1).strip();
      if (value.startsWith("\"")) value = value.substring(1, value.length() - 1);
      out.put(part.substring(0, eq).strip(), value);
    }
    return out;
  }

  private static String md5(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void mjpeg(HttpExchange ex, boolean withLength, int parts) throws IOException {
    requests.incrementAndGet();
    ex.getResponseHeaders().set("Content-Type", "multipart/x-mixed-replace; boundary=--myboundary");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      for (int n = 0; n < parts; n++) {
        byte[] frame = nextFrame();
        String head = "--myboundary\r\nContent-Type: image/jpeg\r\n" + (withLength ? "Content-Length: " + frame.length + "\r\n" : "") + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(frame);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(1000L / mjpegFps);
      }
    } catch (IOException | InterruptedException e) {
      // The client went away: the stream ends.
    }
  }

  private void huge(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    ex.getResponseHeaders().set("Content-Type", "image/jpeg");
    ex.sendResponseHeaders(200, 0);
    byte[] chunk = new byte[1 << 20];
    chunk[0] = (byte) 0xFF;
    chunk[1] = (byte) 0xD8;
    try (OutputStream out = ex.getResponseBody()) {
      for (int i = 0; i < 50; i++) {
        out.write(chunk);
        chunk[0] = 0;
        chunk[1] = 0;
      }
    } catch (IOException e) {
      // The client refused the body: expected.
    }
  }

  private void file(HttpExchange ex) throws IOException {
    Path path = filesRoot.resolve(ex.getRequestURI().getPath().substring("/files/".length())).normalize();
    if (!path.startsWith(filesRoot) || !Files.isRegularFile(path)) {
      send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
      return;
    }
    String type = path.toString().endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t";
    send(ex, 200, type, Files.readAllBytes(path));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
