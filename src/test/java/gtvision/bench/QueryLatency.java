package gtvision.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Latency of one kind of GET against a running node, one request at a time: a warm-up, then
 * {@code runs} requests each with fresh parameters from a supplier. Shared by the query benchmarks.
 */
final class QueryLatency {
  private static final int WARM_UP = 20;
  private final HttpClient client;
  private final String prefix;
  private final int runs;

  /** {@code prefix}: the URL the supplier's text is appended to, e.g. {@code http://host:port/api/detections?}. */
  QueryLatency(HttpClient client, String prefix, int runs) {
    this.client = client;
    this.prefix = prefix;
    this.runs = runs;
  }

  /** A node for query benchmarks: no rate limits in the way, a pool wide enough, little logging. */
  static Config nodeConfig() {
    return ConfigFactory.parseString(String.join("\n",
        "gtv.http.rate-limits.enabled = off",
        "gtv.db.pool-size = 16",
        "pekko.loglevel = WARNING"));
  }

  /** {@code slowest}: the query text of the slowest run (to look at its plan). */
  record Result(String name, int runs, double p50, double p95, double p99, String slowest) {
    static String header() {
      return "| query | runs | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|";
    }

    String row() {
      return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |", name, runs, p50, p95, p99);
    }
  }

  Result measure(String name, Supplier<String> query) throws Exception {
    for (int i = 0; i < WARM_UP; i++) get(query.get());
    List<Long> times = new ArrayList<>(runs);
    String slowest = null;
    long slowestNanos = -1;
    for (int i = 0; i < runs; i++) {
      String q = query.get();
      long started = System.nanoTime();
      get(q);
      long took = System.nanoTime() - started;
      times.add(took);
      if (took > slowestNanos) {
        slowestNanos = took;
        slowest = q;
      }
    }
    Collections.sort(times);
    return new Result(name, times.size(), pct(times, 50), pct(times, 95), pct(times, 99), slowest);
  }

  /** The body of a 200 answer; anything else fails the benchmark. */
  String get(String query) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(prefix + query)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) throw new IllegalStateException(query + ": " + response.statusCode() + " " + response.body());
    return response.body();
  }

  String getUnchecked(String query) {
    try {
      return get(query);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static double pct(List<Long> sortedNanos, int p) {
    if (sortedNanos.isEmpty()) return Double.NaN;
    int index = (int) Math.min(sortedNanos.size() - 1, Math.ceil(p / 100.0 * sortedNanos.size()) - 1);
    return sortedNanos.get(Math.max(0, index)) / 1e6;
  }
}
