package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraConfig;
import gtvision.camera.FrameSequence;
import gtvision.camera.SourceKind;
import gtvision.camera.source.AllowedNetworks;
import gtvision.camera.source.SourcePolicy;
import gtvision.camera.source.SourceProxy;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HLS cameras read by FFmpeg through the node's source proxy: over HTTP and HTTPS (CONNECT) the frames
 * arrive and every request went through the proxy; a playlist naming segments on a host outside the
 * allowed networks fails with that reason and the host never sees a request.
 */
class HlsThroughSourceProxyTest {
  private static final String PASSWORD = "changeit";
  @TempDir static Path keys;
  private static TestCameraServer camera;
  private static HttpServer foreign;
  private static HttpsServer secure;
  private static final AtomicInteger foreignRequests = new AtomicInteger();
  private static final AtomicInteger secureRequests = new AtomicInteger();
  private static SimpleMeterRegistry registry;
  private static SourceProxy proxy;
  private static StreamSettings settings;
  private static Path playlist;
  private static Path foreignPlaylist;
  private final StreamMetrics metrics = new StreamMetrics(new SimpleMeterRegistry());

  @BeforeAll
  static void start() throws Exception {
    playlist = MediaTools.hls(MediaTools.video("horses.jpg", 320, 240, 10, 10, 8));
    camera = new TestCameraServer(List.of(), 1, MediaTools.mediaDir());
    // Serves the same segments, on a loopback address outside the allowed networks (127.0.0.1/32 only).
    foreign = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
    foreign.createContext("/", ex -> {
      foreignRequests.incrementAndGet();
      file(ex, playlist.getParent());
    });
    foreign.start();
    foreignPlaylist = playlist.resolveSibling("foreign-" + foreign.getAddress().getPort() + ".m3u8");
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(playlist)) {
      lines.add(line.endsWith(".ts") ? "http://127.0.0.2:" + foreign.getAddress().getPort() + "/" + line : line);
    }
    Files.write(foreignPlaylist, lines);
    secure = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    secure.setHttpsConfigurator(new HttpsConfigurator(selfSigned()));
    secure.createContext("/", ex -> {
      secureRequests.incrementAndGet();
      file(ex, playlist.getParent());
    });
    secure.start();

    Config config = ConfigFactory.parseString("gtv.camera.allowed-networks = \"127.0.0.1/32\"").withFallback(ConfigFactory.load());
    registry = new SimpleMeterRegistry();
    StreamSettings plain = StreamSettings.from(config);
    proxy = SourceProxy.start(plain.sources(), SourceProxy.Settings.from(config), registry);
    settings = plain.withProxy(proxy);
  }

  @AfterAll
  static void stop() {
    if (proxy != null) proxy.close();
    if (camera != null) camera.close();
    if (foreign != null) foreign.stop(0);
    if (secure != null) secure.stop(0);
  }

  private static void file(HttpExchange ex, Path root) throws IOException {
    Path path = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
    byte[] body = path.startsWith(root) && Files.isRegularFile(path) ? Files.readAllBytes(path) : null;
    ex.getResponseHeaders().set("Content-Type", path.toString().endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t");
    if (body == null) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static SSLContext selfSigned() throws Exception {
    Path store = keys.resolve("camera.p12");
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "camera", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=camera.local", "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) throw new AssertionError("keytool: " + output);
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  private static String served(Path file) {
    return camera.url("/files/" + MediaTools.mediaDir().relativize(file).toString().replace('\\', '/'));
  }

  private FfmpegFrameReader reader(String url, StreamSettings with) {
    CameraConfig config = new CameraConfig("hls", url, SourceKind.HLS, 5.0, null, List.of());
    StreamProbe probe = new StreamProbe(metrics.camera("hls"), connected -> {}, frame -> {});
    return new FfmpegFrameReader("hls", config, with, probe, metrics.decode(), new FrameSequence(1));
  }

  private static double count(String outcome) {
    return registry.get("gtv.source.proxy.requests").tag("outcome", outcome).counter().count();
  }

  @Test
  void anHlsPlaylistOverHttpPlaysThroughTheProxy() {
    double before = count("forwarded");
    try (FfmpegFrameReader reader = reader(served(playlist), settings)) {
      for (int i = 0; i < 5; i++) assertTrue(reader.next().isPresent(), "frame " + i);
    }
    // The playlist and at least one segment, each a request through the proxy.
    assertTrue(count("forwarded") - before >= 2, "forwarded: " + (count("forwarded") - before));
  }

  @Test
  void anHlsPlaylistOverHttpsPlaysThroughAConnectTunnel() {
    double before = count("tunnelled");
    String url = "https://127.0.0.1:" + secure.getAddress().getPort() + "/" + playlist.getFileName();
    try (FfmpegFrameReader reader = reader(url, settings)) {
      for (int i = 0; i < 5; i++) assertTrue(reader.next().isPresent(), "frame " + i);
    }
    assertTrue(count("tunnelled") - before >= 1, "tunnelled: " + (count("tunnelled") - before));
    assertTrue(secureRequests.get() >= 2);
  }

  @Test
  void aPlaylistNamingSegmentsOnARefusedHostFailsWithTheReasonAndNeverReachesIt() {
    BadFrameException e = assertThrows(BadFrameException.class, () -> {
      try (FfmpegFrameReader reader = reader(served(foreignPlaylist), settings)) {
        while (reader.next().isPresent()) {
          // Read until the refusal ends the stream.
        }
      }
    });
    assertEquals("HLS segment host '127.0.0.2' is refused: not in gtv.camera.allowed-networks", e.getMessage());
    assertEquals(0, foreignRequests.get(), "the refused host never saw a request");
  }

  @Test
  void withoutTheNodesProxyAnHlsCameraIsRefusedRatherThanReadDirectly() {
    StreamSettings withoutProxy = StreamSettings.from(ConfigFactory.load());
    BadFrameException e = assertThrows(BadFrameException.class, () -> reader(served(playlist), withoutProxy).close());
    assertTrue(e.getMessage().contains("source proxy"), e.getMessage());
  }

  @Test
  void anyNoProxyVariableStopsHlsBecauseFfmpegWouldBypassTheProxy() {
    assertTrue(FfmpegFrameReader.noProxyBypass(null).isEmpty());
    assertTrue(FfmpegFrameReader.noProxyBypass(" ").isEmpty());
    String why = FfmpegFrameReader.noProxyBypass("localhost,127.0.0.1").orElseThrow();
    assertTrue(why.contains("no_proxy"), why);
  }

  @Test
  void rtspAndRtspsAreOpenedAtTheCheckedAddress() {
    AtomicReference<String> answer = new AtomicReference<>("10.20.30.40");
    SourcePolicy.Resolver resolver = host -> {
      if (!host.equals("gate.cams.test")) throw new UnknownHostException(host);
      return new InetAddress[] {InetAddress.getByName(answer.get())};
    };
    StreamSettings pinned = withPolicy(new SourcePolicy(AllowedNetworks.parse(AllowedNetworks.DEFAULT), false, Set.of(), resolver));
    assertEquals("rtsps://u:p%40w@10.20.30.40:8322/live?x=1", FfmpegFrameReader.input(
        new CameraConfig("c", "rtsps://u:p%40w@gate.cams.test:8322/live?x=1", SourceKind.RTSP, 1.0, null, List.of()), pinned));
    assertEquals("rtsp://10.20.30.40/live", FfmpegFrameReader.input(
        new CameraConfig("c", "rtsp://gate.cams.test/live", SourceKind.RTSP, 1.0, null, List.of()), pinned));
    answer.set("169.254.169.254");
    BadFrameException e = assertThrows(BadFrameException.class, () -> FfmpegFrameReader.input(
        new CameraConfig("c", "rtsps://gate.cams.test/live", SourceKind.RTSP, 1.0, null, List.of()), pinned));
    assertTrue(e.getMessage().contains("a cloud metadata address"), e.getMessage());
  }

  private static StreamSettings withPolicy(SourcePolicy policy) {
    StreamSettings s = StreamSettings.from(ConfigFactory.load());
    return new StreamSettings(s.connectTimeout(), s.readTimeout(), s.backoffMin(), s.backoffMax(), s.backoffJitter(),
        s.statsInterval(), s.statsPersistInterval(), s.snapshotMaxBytes(), s.maxFramePixels(), s.failureLogInterval(),
        s.motion(), policy, s.proxy());
  }
}
