package gtvision.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MediaMTX's player endpoints as a browser sees them, on 127.0.0.1: {@code /cam_<id>/index.m3u8} and its
 * segments from one HLS directory (every camera path plays the same stream), and {@code /cam_<id>/whep},
 * which answers 404 as MediaMTX does for a path it cannot offer over WebRTC, so a player falls back to
 * HLS. Cross-origin like the real one (CORS preflights answered, any origin); every request is recorded.
 */
public final class TestMediaMtx implements AutoCloseable {
  private static final Pattern CAMERA_PATH = Pattern.compile("^/cam_([^/]+)/([A-Za-z0-9_.-]+)$");

  /** One request: method, camera id, file (or "whep") and the Authorization header (null: none). */
  public record Request(String method, String cameraId, String file, String authorization) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final Path hlsDir;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  /** @param playlist an HLS playlist ({@code index.m3u8}, as {@link MediaTools#hls} makes) beside its segments */
  public TestMediaMtx(Path playlist) throws IOException {
    this.hlsDir = playlist.getParent();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(String cameraId) {
    return requests.stream().filter(r -> cameraId.equals(r.cameraId())).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var headers = exchange.getResponseHeaders();
      headers.add("Access-Control-Allow-Origin", "*");
      String method = exchange.getRequestMethod();
      if (method.equals("OPTIONS")) {
        headers.add("Access-Control-Allow-Methods", "OPTIONS, GET, POST, PATCH, DELETE");
        headers.add("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match");
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      Matcher m = CAMERA_PATH.matcher(exchange.getRequestURI().getPath());
      if (!m.matches()) {
        send(exchange, 404, "text/plain", "no such path".getBytes(StandardCharsets.UTF_8));
        return;
      }
      requests.add(new Request(method, m.group(1), m.group(2), exchange.getRequestHeaders().getFirst("Authorization")));
      if (m.group(2).equals("whep")) {
        exchange.getRequestBody().readAllBytes();
        send(exchange, 404, "application/json", "{\"status\":\"error\",\"error\":\"no WebRTC here\"}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      Path file = hlsDir.resolve(m.group(2)).normalize();
      if (!method.equals("GET") || !file.startsWith(hlsDir) || !Files.isRegularFile(file)) {
        send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String type = file.toString().endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t";
      send(exchange, 200, type, Files.readAllBytes(file));
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
