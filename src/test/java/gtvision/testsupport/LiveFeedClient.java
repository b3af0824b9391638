package gtvision.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client of {@code /api/live} (the JDK's): collects whole text messages, and either
 * reads as they come or, when opened {@linkplain #stalled stalled}, reads nothing until
 * {@link #readAll()}, leaving the socket unread like a client on a slow link.
 */
public final class LiveFeedClient implements AutoCloseable {
  private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<String> ended = new CompletableFuture<>();
  private final WebSocket socket;

  private LiveFeedClient(HttpClient client, URI uri, Map<String, String> headers, boolean reading) throws Exception {
    WebSocket.Builder builder = client.newWebSocketBuilder();
    headers.forEach(builder::header);
    this.socket = builder.buildAsync(uri, new Listener(reading)).get(10, TimeUnit.SECONDS);
  }

  private LiveFeedClient(URI uri, boolean reading) throws Exception {
    this(HttpClient.newHttpClient(), uri, Map.of(), reading);
  }

  /** Connected and reading every message as it arrives. */
  public static LiveFeedClient reading(URI uri) throws Exception {
    return new LiveFeedClient(uri, true);
  }

  /**
   * The same through {@code client} (a TLS context of its own, for {@code wss://}) with these handshake
   * headers (Authorization, Origin); a refused handshake fails with the
   * {@link java.net.http.WebSocketHandshakeException} as the cause.
   */
  public static LiveFeedClient reading(HttpClient client, URI uri, Map<String, String> headers) throws Exception {
    return new LiveFeedClient(client, uri, headers, true);
  }

  /** Connected but reading nothing until {@link #readAll()}. */
  public static LiveFeedClient stalled(URI uri) throws Exception {
    return new LiveFeedClient(uri, false);
  }

  /** The next whole text message, or null after {@code seconds}. */
  public String next(long seconds) throws InterruptedException {
    return received.poll(seconds, TimeUnit.SECONDS);
  }

  /** Starts reading everything the server sent and will send. */
  public void readAll() {
    socket.request(Long.MAX_VALUE);
  }

  /** How the connection ended ("close CODE" or "error ..."), waiting up to {@code seconds}. */
  public String ended(long seconds) throws Exception {
    return ended.get(seconds, TimeUnit.SECONDS);
  }

  /** The messages received so far, in order. */
  public List<String> messages() {
    return new ArrayList<>(received);
  }

  @Override
  public void close() {
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final boolean reading;
    private final StringBuilder text = new StringBuilder();

    Listener(boolean reading) {
      this.reading = reading;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      if (reading) webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        received.add(text.toString());
        text.setLength(0);
      }
      if (reading) webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ended.complete("close " + statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended.complete("error " + error);
    }
  }
}
