package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import gtvision.camera.source.AllowedNetworks;
import gtvision.camera.source.SourcePolicy;
import gtvision.testsupport.TestImages;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every request is checked again and goes to the address that was checked, with the camera's name as Host. */
class HttpCameraPinningTest {
  private HttpServer server;
  private final List<String> hosts = new CopyOnWriteArrayList<>();
  /** What "rebind.test" resolves to: the name exists nowhere else, so a connection proves the pinning. */
  private final AtomicReference<String> answer = new AtomicReference<>("127.0.0.1");

  @BeforeEach
  void start() throws Exception {
    byte[] jpeg = TestImages.still("kite.jpg", 160);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/snap.jpg", ex -> {
      hosts.add(ex.getRequestHeaders().getFirst("Host"));
      ex.getResponseHeaders().add("Content-Type", "image/jpeg");
      ex.sendResponseHeaders(200, jpeg.length);
      try (var out = ex.getResponseBody()) {
        out.write(jpeg);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private InetAddress[] resolve(String host) throws UnknownHostException {
    if (!host.equals("rebind.test")) throw new UnknownHostException(host);
    return new InetAddress[] {InetAddress.getByName(answer.get())};
  }

  @Test
  void aNameIsConnectedAtItsCheckedAddressAndRefusedOnceItResolvesToMetadata() throws Exception {
    SourcePolicy policy = new SourcePolicy(AllowedNetworks.parse(AllowedNetworks.DEFAULT), false, Set.of(), this::resolve);
    int port = server.getAddress().getPort();
    HttpCamera camera = new HttpCamera("http://rebind.test:" + port + "/snap.jpg", Duration.ofSeconds(2),
        Duration.ofSeconds(2), policy);
    try (HttpCamera.Response response = camera.open()) {
      assertTrue(HttpCamera.readLimited(response, 1 << 20).length > 0);
    }
    assertEquals(List.of("rebind.test:" + port), hosts);

    // DNS rebinding: the same name now answers with the metadata address; the next request is refused.
    answer.set("169.254.169.254");
    BadFrameException e = assertThrows(BadFrameException.class, camera::open);
    assertTrue(e.getMessage().contains("a cloud metadata address"), e.getMessage());
    assertEquals(1, hosts.size());
  }
}
