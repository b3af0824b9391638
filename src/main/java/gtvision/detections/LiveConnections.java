package gtvision.detections;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open live-feed connections, per client and in all, so that one client cannot hold every socket of the
 * node (a thousand WebSockets from one browser tab gone wrong, or on purpose).
 */
final class LiveConnections {
  private final int perClient;
  private final int total;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, AtomicInteger> byClient = new ConcurrentHashMap<>();

  LiveConnections(int perClient, int total) {
    this.perClient = perClient;
    this.total = total;
  }

  /** Takes a slot for {@code client}, or says why there is none. */
  Optional<String> open(String client) {
    if (open.incrementAndGet() > total) {
      open.decrementAndGet();
      return Optional.of("the node has " + total + " live connections open, the most it takes");
    }
    AtomicInteger mine = byClient.computeIfAbsent(client, c -> new AtomicInteger());
    if (mine.incrementAndGet() > perClient) {
      close(client);
      return Optional.of("at most " + perClient + " live connections per client");
    }
    return Optional.empty();
  }

  void close(String client) {
    open.decrementAndGet();
    byClient.computeIfPresent(client, (c, n) -> n.decrementAndGet() <= 0 ? null : n);
  }
}
