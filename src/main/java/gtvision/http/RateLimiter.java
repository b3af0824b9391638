package gtvision.http;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token bucket per client: {@code perMinute} requests a minute, refilled continuously, bursts up to a
 * minute's worth. Memory is bounded: past {@code maxClients} buckets, full (idle) ones are forgotten,
 * and if every client is active the newcomers share one overflow bucket.
 */
public final class RateLimiter {
  private static final String OVERFLOW = "\u0000overflow";
  private final double capacity;
  private final double tokensPerNano;
  private final int maxClients;
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** Allowed, or the seconds to wait before the next request will be. */
  public record Decision(boolean allowed, long retryAfterSeconds) {}

  public RateLimiter(int perMinute, int maxClients, LongSupplier nanoClock) {
    this.capacity = perMinute;
    this.tokensPerNano = perMinute / 60e9;
    this.maxClients = maxClients;
    this.nanoClock = nanoClock;
  }

  public Decision acquire(String client) {
    long now = nanoClock.getAsLong();
    Bucket bucket = buckets.get(client);
    if (bucket == null) {
      if (buckets.size() >= maxClients) forgetIdle(now);
      String key = buckets.size() >= maxClients ? OVERFLOW : client;
      bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
    }
    return bucket.take(now);
  }

  int trackedClients() {
    return buckets.size();
  }

  private void forgetIdle(long now) {
    for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
      if (it.next().fullAt(now)) it.remove();
    }
  }

  private final class Bucket {
    private double tokens;
    private long updated;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updated = now;
    }

    synchronized Decision take(long now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return new Decision(true, 0);
      }
      long wait = (long) Math.ceil((1 - tokens) / tokensPerNano / 1e9);
      return new Decision(false, Math.max(1, wait));
    }

    synchronized boolean fullAt(long now) {
      refill(now);
      return tokens >= capacity;
    }

    private void refill(long now) {
      tokens = Math.min(capacity, tokens + (now - updated) * tokensPerNano);
      updated = now;
    }
  }
}
