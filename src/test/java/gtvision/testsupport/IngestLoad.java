package gtvision.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady bulk-ingest writes ({@code POST /api/ingest/detections}), one client thread per camera (a
 * camera whose node is gone holds only its own thread), one camera per request, every item unique by (camera, frameSequence) and never retried: what the API
 * acknowledged must be in the detections table exactly once, and nothing else may be doubled.
 */
public final class IngestLoad implements AutoCloseable {
  /** The class name of every item this load writes (the analyser of test nodes finds nothing). */
  public static final String CLASS = "fault-load";
  private static final int ITEMS_PER_REQUEST = 5;
  // A client gives up well before the server's 503 (GTV_INGEST_TIMEOUT) and sends anew, as a producer
  // would: a request that reached a node just before the shard moved is never answered in time, and
  // waiting for it would measure the server's timeout rather than when writes work again. A request
  // given up may still be written: it is not counted as acknowledged, and its items stay unique.
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

  /** One request that the API acknowledged: sent and answered at these System.nanoTime() values. */
  private record Success(long sentNanos, long answeredNanos) {}

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<String> baseUrls;
  private final Duration pause;
  private final ExecutorService threads;
  private final Map<String, AtomicLong> nextSequence = new ConcurrentHashMap<>();
  private final Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedQueue<Success>> successes = new ConcurrentHashMap<>();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean running = true;

  private IngestLoad(List<String> baseUrls, List<String> cameras, Duration pause) {
    this.baseUrls = List.copyOf(baseUrls);
    this.pause = pause;
    for (String camera : cameras) {
      nextSequence.put(camera, new AtomicLong());
      acknowledged.put(camera, ConcurrentHashMap.newKeySet());
      successes.put(camera, new ConcurrentLinkedQueue<>());
    }
    this.threads = Executors.newFixedThreadPool(cameras.size());
    for (String camera : cameras) threads.execute(() -> run(camera));
  }

  /** Writes to {@code cameras} through the nodes at {@code baseUrls} in turn, pausing between a camera's requests. */
  public static IngestLoad start(List<String> baseUrls, List<String> cameras, Duration pause) {
    return new IngestLoad(baseUrls, cameras, pause);
  }

  private void run(String camera) {
    long n = 0;
    while (running) {
      String baseUrl = baseUrls.get((int) (n++ % baseUrls.size()));
      long first = nextSequence.get(camera).getAndAdd(ITEMS_PER_REQUEST);
      List<String> items = new ArrayList<>();
      Instant now = Instant.now();
      for (long seq = first; seq < first + ITEMS_PER_REQUEST; seq++) {
        items.add("""
            {"cameraId": "%s", "timestamp": "%s", "class": "%s", "confidence": 0.9, "bbox": [10, 20, 110, 220], "frameSequence": %d}"""
            .formatted(camera, now, CLASS, seq));
      }
      HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/ingest/detections"))
          .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"detections\": [" + String.join(",", items) + "]}")).build();
      long sent = System.nanoTime();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          for (long seq = first; seq < first + ITEMS_PER_REQUEST; seq++) acknowledged.get(camera).add(seq);
          successes.get(camera).add(new Success(sent, System.nanoTime()));
        } else {
          failed.incrementAndGet();
        }
      } catch (IOException e) {
        failed.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      MediaTools.sleep(pause.toMillis());
    }
  }

  /** Stops sending and waits for the requests in flight to be answered. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    threads.shutdown();
    if (!threads.awaitTermination(60, TimeUnit.SECONDS)) threads.shutdownNow();
  }

  public long acknowledgedItems() {
    return acknowledged.values().stream().mapToLong(Set::size).sum();
  }

  public long sentItems() {
    return nextSequence.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public long failedRequests() {
    return failed.get();
  }

  /** When (System.nanoTime()) the first request for {@code camera} sent after {@code nanos} was acknowledged. */
  public OptionalLong firstAcknowledgedSentAfter(String camera, long nanos) {
    return successes.get(camera).stream().filter(s -> s.sentNanos() > nanos).mapToLong(Success::answeredNanos).min();
  }

  /** Rows of this load in the detections table: camera -> frameSequence -> number of rows. */
  public static Map<String, Map<Long, Integer>> stored(String jdbcUrl, String user, String password) throws SQLException {
    Map<String, Map<Long, Integer>> rows = new HashMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        PreparedStatement s = c.prepareStatement(
            "SELECT camera_id, frame_sequence, count(*) FROM detections WHERE class_name = ? GROUP BY camera_id, frame_sequence")) {
      s.setString(1, CLASS);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) rows.computeIfAbsent(r.getString(1), k -> new HashMap<>()).put(r.getLong(2), r.getInt(3));
      }
    }
    return rows;
  }

  /** Acknowledged items not among {@code stored}, as "camera#sequence". */
  public List<String> missing(Map<String, Map<Long, Integer>> stored) {
    List<String> missing = new ArrayList<>();
    acknowledged.forEach((camera, seqs) -> seqs.forEach(seq -> {
      if (!stored.getOrDefault(camera, Map.of()).containsKey(seq)) missing.add(camera + "#" + seq);
    }));
    return missing;
  }

  /** Items stored more than once, or stored though never sent. */
  public List<String> doubledOrUnknown(Map<String, Map<Long, Integer>> stored) {
    List<String> wrong = new ArrayList<>();
    stored.forEach((camera, seqs) -> seqs.forEach((seq, count) -> {
      AtomicLong issued = nextSequence.get(camera);
      if (count > 1 || issued == null || seq >= issued.get()) wrong.add(camera + "#" + seq + " x" + count);
    }));
    return wrong;
  }
}
