package gtvision.camera.source;

import com.typesafe.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP forward proxy on 127.0.0.1 for FFmpeg's HTTP(S) inputs (HLS playlists, segments, keys), so that
 * every host a playlist names passes the {@link SourcePolicy} and is connected at the address that was
 * checked: FFmpeg resolves nothing itself. With FFmpeg's {@code http_proxy} option, plain HTTP arrives as
 * absolute-URI requests (forwarded one per connection) and HTTPS as {@code CONNECT host:port} (tunnelled;
 * TLS stays end to end, with the name for SNI and certificates). A refused target is answered 403 and the
 * reason kept in the requester's {@link ProxySession}.
 *
 * <p>Neither the JDK's HttpServer nor Pekko HTTP can hand a CONNECT request its raw connection, so this is
 * a small blocking server: an accept thread and a bounded pool of relay threads (two per tunnel), never an
 * actor's thread. Bounded connections, connect and idle timeouts; requests need a session's credentials.
 */
public final class SourceProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SourceProxy.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** {@code gtv.camera.source-proxy}, and the camera connect timeout of {@code gtv.camera.stream}. */
  public record Settings(int maxConnections, Duration connectTimeout, Duration idleTimeout, int maxHeadBytes) {
    public Settings {
      if (maxConnections < 1) throw new IllegalArgumentException("gtv.camera.source-proxy.max-connections must be positive");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("gtv.camera.source-proxy.idle-timeout must be positive");
      }
      if (maxHeadBytes < 1024) throw new IllegalArgumentException("gtv.camera.source-proxy.max-head-bytes must be at least 1KiB");
    }

    public static Settings from(Config root) {
      Config c = root.getConfig("gtv.camera.source-proxy");
      return new Settings(c.getInt("max-connections"), root.getDuration("gtv.camera.stream.connect-timeout"),
          c.getDuration("idle-timeout"), (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-head-bytes")));
    }
  }

  private final SourcePolicy policy;
  private final Settings settings;
  private final ServerSocket server;
  private final ThreadPoolExecutor workers;
  private final Semaphore slots;
  private final Map<String, ProxySession> sessions = new ConcurrentHashMap<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final SecureRandom random = new SecureRandom();
  private final Thread acceptor;
  private final Counter forwarded;
  private final Counter tunnelled;
  private final Counter refused;
  private final Counter failed;
  private final Counter rejected;
  private final Counter challenged;
  private volatile boolean closed;

  private SourceProxy(SourcePolicy policy, Settings settings, ServerSocket server, MeterRegistry registry) {
    // The proxy's own port is one of the node's: a playlist must not point FFmpeg back at it.
    this.policy = policy.withOwnPort(server.getLocalPort());
    this.settings = settings;
    this.server = server;
    this.slots = new Semaphore(settings.maxConnections());
    // A tunnel takes two threads (one per direction), a forwarded request one: never more than this.
    this.workers = new ThreadPoolExecutor(0, 2 * settings.maxConnections(), 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "gtv-source-proxy-" + THREADS.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.forwarded = counter(registry, "forwarded", "HTTP requests forwarded to a checked address");
    this.tunnelled = counter(registry, "tunnelled", "CONNECT tunnels opened to a checked address");
    this.refused = counter(registry, "refused", "requests whose target the camera source policy refused");
    this.failed = counter(registry, "failed", "requests whose checked target could not be reached");
    this.rejected = counter(registry, "rejected", "requests refused before any target: wrong credentials, bad request, busy");
    this.challenged = counter(registry, "challenged", "requests without credentials, answered 407 (FFmpeg's first try on a connection)");
    Gauge.builder("gtv.source.proxy.connections", slots, s -> settings.maxConnections() - s.availablePermits())
        .description("Client connections the camera source proxy is serving")
        .register(registry);
    this.acceptor = new Thread(this::accept, "gtv-source-proxy-accept");
    acceptor.setDaemon(true);
  }

  private static Counter counter(MeterRegistry registry, String outcome, String description) {
    return Counter.builder("gtv.source.proxy.requests").description("Camera source proxy requests: " + description)
        .tag("outcome", outcome).register(registry);
  }

  /** Binds 127.0.0.1 on a free port and starts accepting. */
  public static SourceProxy start(SourcePolicy policy, Settings settings, MeterRegistry registry) {
    ServerSocket server;
    try {
      server = new ServerSocket(0, 128, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the camera source proxy on 127.0.0.1", e);
    }
    SourceProxy proxy = new SourceProxy(policy, settings, server, registry);
    proxy.acceptor.start();
    log.info("Camera source proxy for FFmpeg on 127.0.0.1:{} (at most {} connections)", proxy.port(), settings.maxConnections());
    return proxy;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The node's source policy, with this proxy's port among the node's own ports. */
  public SourcePolicy policy() {
    return policy;
  }

  Settings settings() {
    return settings;
  }

  /** A session for one FFmpeg input of {@code source}; close it with the input. */
  public ProxySession open(URI source) {
    byte[] secret = new byte[24];
    random.nextBytes(secret);
    ProxySession session = new ProxySession(this, Base64.getUrlEncoder().withoutPadding().encodeToString(secret), source);
    sessions.put(session.token(), session);
    return session;
  }

  void forget(ProxySession session) {
    sessions.remove(session.token());
  }

  /** The session whose credentials a {@code Proxy-Authorization} value carries, or null. */
  ProxySession session(String proxyAuthorization) {
    if (proxyAuthorization == null || !proxyAuthorization.regionMatches(true, 0, "Basic ", 0, 6)) return null;
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(proxyAuthorization.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    String prefix = ProxySession.USER + ":";
    return decoded.startsWith(prefix) ? sessions.get(decoded.substring(prefix.length())) : null;
  }

  /** Runs the other direction of a tunnel; the connection's slot already bounds how many there are. */
  ExecutorService workers() {
    return workers;
  }

  void counted(String outcome) {
    switch (outcome) {
      case "forwarded" -> forwarded.increment();
      case "tunnelled" -> tunnelled.increment();
      case "refused" -> refused.increment();
      case "failed" -> failed.increment();
      case "challenged" -> challenged.increment();
      default -> rejected.increment();
    }
  }

  void track(Socket socket) {
    open.add(socket);
    // Closed meanwhile: the socket is not left behind by the sweep in close().
    if (closed) closeQuietly(socket);
  }

  void untrack(Socket socket) {
    open.remove(socket);
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) log.warn("Camera source proxy stopped accepting: {}", e.toString());
        return;
      }
      if (!slots.tryAcquire()) {
        rejected.increment();
        busy(client);
        continue;
      }
      track(client);
      try {
        workers.execute(() -> {
          try {
            new ProxyConnection(this, client).run();
          } finally {
            untrack(client);
            closeQuietly(client);
            slots.release();
          }
        });
      } catch (RuntimeException e) {
        // Rejected: only while closing (the pool is sized for every slot).
        untrack(client);
        closeQuietly(client);
        slots.release();
      }
    }
  }

  /** 503 to a connection beyond max-connections: a short answer into an empty socket buffer, never blocks. */
  private static void busy(Socket client) {
    try (client) {
      ProxyConnection.reply(client.getOutputStream(), 503, "Service Unavailable",
          "camera source proxy: all connections in use (gtv.camera.source-proxy.max-connections)", "");
    } catch (IOException e) {
      // The client went away: nothing to answer.
    }
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing: nothing more to free.
    }
  }

  /** Stops accepting, cuts every open connection and ends the relay threads. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // Closing: nothing more to free.
    }
    open.forEach(SourceProxy::closeQuietly);
    workers.shutdownNow();
    sessions.clear();
  }
}
