package gtvision.bench;

import com.typesafe.config.Config;
import gtvision.NodeConfig;
import gtvision.persistence.DatabaseSettings;
import gtvision.persistence.SchemaCreator;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Detections out, on PostgreSQL:
 * <ol>
 *   <li>Bulk ingest: requests of 100 detections (25 frames of 4, 50 cameras) offered open-loop at 1k, 5k
 *       and 10k detections/s; detections/s made durable (200 answers) and request latency p50/p95/p99,
 *       next to raw batched INSERTs of the same rows into the same database (the limit).</li>
 *   <li>Query: the detections table bulk-loaded server-side with N rows (default 10 million), then typical
 *       searches through the HTTP API (p50/p95/p99 over 200 runs each).</li>
 * </ol>
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=gtvision.bench.DetectionsBenchmark -Dexec.args="20 10000000"
 * </pre>
 * Arguments: seconds per ingest rate, rows for the query benchmark (0 skips it), and optionally the
 * offered detections/s as a comma-separated list (default 1000,5000,10000).
 */
public final class DetectionsBenchmark {
  private static final int PER_REQUEST = 100;
  private static final int CAMERAS = 50;

  private DetectionsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    long rows = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    List<Integer> rates = args.length > 2
        ? Arrays.stream(args[2].split(",")).map(Integer::valueOf).toList()
        : List.of(1_000, 5_000, 10_000);
    if (!TestDatabases.postgresAvailable()) throw new IllegalStateException("needs PostgreSQL on 127.0.0.1:5432");
    int status = 0;
    try {
      if (seconds > 0) ingest(seconds, rates);
      if (rows > 0) query(rows);
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    // Node and client threads must not keep the benchmark's JVM alive.
    System.exit(status);
  }

  // ---- ingest ----

  private static void ingest(int seconds, List<Integer> rates) throws Exception {
    Config db = TestDatabases.postgres("bench_ingest");
    TestNodes.Node node = TestNodes.start(db, QueryLatency.nodeConfig());
    try {
      CameraApi cameras = new CameraApi(node);
      for (int c = 0; c < CAMERAS; c++) cameras.register("bench-" + c, "snapshot", "http://127.0.0.1:9/x.jpg", 1.0, "\"enabled\": false");
      HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
      awaitCameras(client, node);
      System.out.println("| offered det/s | durable det/s | requests | failed | p50 ms | p95 ms | p99 ms |");
      System.out.println("|---|---|---|---|---|---|---|");
      run(client, node, 1000, 5, false); // warm-up
      for (int rate : rates) run(client, node, rate, seconds, true);
      System.out.println();
      rawInserts(db, seconds);
    } finally {
      node.stop();
    }
  }

  private static void awaitCameras(HttpClient client, TestNodes.Node node) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String body = client.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/cameras?limit=500")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      if (body.contains("\"bench-" + (CAMERAS - 1) + "\"")) return;
      Thread.sleep(200);
    }
    throw new IllegalStateException("cameras not on the read side");
  }

  private static final AtomicLong SEQUENCE = new AtomicLong();

  static String body(Instant base) {
    StringBuilder sb = new StringBuilder("{\"detections\":[");
    long first = SEQUENCE.getAndAdd(PER_REQUEST / 4);
    for (int i = 0; i < PER_REQUEST; i++) {
      long frame = first + i / 4;
      if (i > 0) sb.append(',');
      sb.append("{\"cameraId\":\"bench-").append(frame % CAMERAS).append("\",\"timestamp\":\"")
          .append(base.plusMillis(frame)).append("\",\"class\":\"").append(i % 4 == 0 ? "person" : "car")
          .append("\",\"confidence\":0.8,\"bbox\":[10,20,300,400],\"plate\":")
          .append(i % 4 == 1 ? "\"ABC" + (frame % 10000) + "\"" : "null")
          .append(",\"frameWidth\":1920,\"frameHeight\":1080,\"frameSequence\":").append(frame).append('}');
    }
    return sb.append("]}").toString();
  }

  private static void run(HttpClient client, TestNodes.Node node, int detectionsPerSecond, int seconds, boolean print)
      throws Exception {
    int requestsPerSecond = detectionsPerSecond / PER_REQUEST;
    long intervalNanos = 1_000_000_000L / requestsPerSecond;
    int total = requestsPerSecond * seconds;
    Instant base = Instant.now().minus(Duration.ofHours(1));
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong failed = new AtomicLong();
    List<CompletableFuture<?>> all = new ArrayList<>();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    URI uri = URI.create(node.baseUrl() + "/api/ingest/detections");
    long started = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = started + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
      HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body(base))).build();
      long sent = System.nanoTime();
      all.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
        if (error == null && response.statusCode() == 200) latencies.add(System.nanoTime() - sent);
        else failed.incrementAndGet();
        return null;
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - started) / 1e9;
    ticker.shutdown();
    if (!print) return;
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf(Locale.ROOT, "| %,d | %,.0f | %,d | %d | %.1f | %.1f | %.1f |%n", detectionsPerSecond,
        sorted.size() * PER_REQUEST / elapsed, total, failed.get(), QueryLatency.pct(sorted, 50), QueryLatency.pct(sorted, 95), QueryLatency.pct(sorted, 99));
  }

  /** The same rows through plain JDBC batches of 100 on 4 connections: what the database itself can take. */
  private static void rawInserts(Config db, int seconds) throws Exception {
    DatabaseSettings settings = DatabaseSettings.from(NodeConfig.load(db));
    AtomicLong inserted = new AtomicLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    long started = System.nanoTime();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
            PreparedStatement ps = c.prepareStatement("INSERT INTO detections (camera_id, frame_sequence, ts, class_name, "
                + "confidence, x1, y1, x2, y2, plate, plate_confidence, provider, evidence_key, recorded_at) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
          c.setAutoCommit(false);
          long n = 0;
          while (System.nanoTime() < deadline) {
            for (int i = 0; i < PER_REQUEST; i++, n++) {
              ps.setString(1, "raw-" + (n % CAMERAS));
              ps.setLong(2, n);
              ps.setLong(3, System.currentTimeMillis());
              ps.setString(4, "car");
              ps.setDouble(5, 0.8);
              ps.setDouble(6, 10);
              ps.setDouble(7, 20);
              ps.setDouble(8, 300);
              ps.setDouble(9, 400);
              ps.setString(10, n % 4 == 1 ? "ABC" + n % 10000 : null);
              ps.setObject(11, null);
              ps.setString(12, "external");
              ps.setString(13, null);
              ps.setLong(14, System.currentTimeMillis());
              ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
            inserted.addAndGet(PER_REQUEST);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) t.join();
    double elapsed = (System.nanoTime() - started) / 1e9;
    System.out.printf(Locale.ROOT, "raw batched INSERT (100 rows per commit, 4 connections): %,.0f rows/s%n%n",
        inserted.get() / elapsed);
  }

  // ---- query ----

  private static void query(long rows) throws Exception {
    Config db = TestDatabases.postgres("bench_query");
    DatabaseSettings settings = DatabaseSettings.from(NodeConfig.load(db));
    SchemaCreator.createIfNotExists(settings);
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    long span = Duration.ofDays(30).toMillis();
    long loadStarted = System.nanoTime();
    try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        Statement s = c.createStatement()) {
      // Indexes are built after the load (much faster than maintaining them row by row).
      for (String index : List.of("detections_camera_ts_idx", "detections_class_ts_idx", "detections_plate_idx", "detections_ts_idx")) {
        s.execute("DROP INDEX IF EXISTS " + index);
      }
      // 250 cameras, 30 days, classes car/person/truck/bus/motorcycle, a plate on every third row.
      s.execute("INSERT INTO detections (camera_id, frame_sequence, ts, class_name, confidence, x1, y1, x2, y2, plate, "
          + "plate_confidence, provider, evidence_key, recorded_at) SELECT 'cam-' || (g % 250), g, "
          + (end.toEpochMilli() - span) + " + (g * " + span + " / " + rows + "), "
          + "(ARRAY['car','car','car','person','person','truck','bus','motorcycle'])[(1 + (g * 7919) % 8)::int], "
          + "0.5 + ((g * 31) % 50) / 100.0, 10, 20, 300, 400, "
          + "CASE WHEN g % 3 = 0 THEN chr((65 + (g / 3) % 26)::int) || chr((65 + (g / 78) % 26)::int) || chr((65 + (g / 2028) % 26)::int) "
          + "|| lpad(((g * 13) % 10000)::text, 4, '0') END, CASE WHEN g % 3 = 0 THEN 0.9 END, 'gpu', "
          + "'frames/cam-' || (g % 250) || '/' || g || '.jpg', " + end.toEpochMilli()
          + " FROM generate_series(1::bigint, " + rows + "::bigint) AS g");
      double loaded = (System.nanoTime() - loadStarted) / 1e9;
      long indexStarted = System.nanoTime();
      s.execute("CREATE INDEX detections_camera_ts_idx ON detections (camera_id, ts DESC, id DESC)");
      s.execute("CREATE INDEX detections_class_ts_idx ON detections (class_name, ts DESC, id DESC)");
      s.execute("CREATE INDEX detections_plate_idx ON detections (plate varchar_pattern_ops)");
      s.execute("CREATE INDEX detections_ts_idx ON detections (ts DESC, id DESC)");
      s.execute("ANALYZE detections");
      System.out.printf(Locale.ROOT, "Loaded %,d rows in %.0f s, indexes in %.0f s%n%n", rows, loaded,
          (System.nanoTime() - indexStarted) / 1e9);
    }
    TestNodes.Node node = TestNodes.start(db, QueryLatency.nodeConfig());
    try {
      QueryLatency api = new QueryLatency(HttpClient.newHttpClient(), node.baseUrl() + "/api/detections?", 200);
      Random random = new Random(7);
      String day = "&from=" + end.minus(Duration.ofDays(1)) + "&to=" + end;
      System.out.println(QueryLatency.Result.header());
      System.out.println(api.measure("latest 50 of one camera", () -> "camera=cam-" + random.nextInt(250)).row());
      System.out.println(api.measure("one camera, last day, minConfidence 0.8",
          () -> "camera=cam-" + random.nextInt(250) + day + "&minConfidence=0.8").row());
      System.out.println(api.measure("class=truck, last day", () -> "class=truck" + day).row());
      System.out.println(api.measure("class=person, any time, limit 100", () -> "class=person&limit=100").row());
      System.out.println(api.measure("plate exact", () -> "plate=" + plate(random)).row());
      System.out.println(api.measure("plate prefix (3 letters)", () -> "platePrefix=" + plate(random).substring(0, 3)).row());
      System.out.println(api.measure("all cameras, one hour window", () -> "from=" + end.minus(Duration.ofHours(1 + random.nextInt(600)))
          + "&to=" + end.minus(Duration.ofHours(random.nextInt(1)))).row());
      System.out.println(api.measure("second page (cursor) of one camera", () -> {
        String first = api.getUnchecked("camera=cam-" + random.nextInt(250));
        int at = first.indexOf("\"nextCursor\":\"");
        return "camera=cam-" + random.nextInt(250) + "&cursor=" + first.substring(at + 14, first.indexOf('"', at + 14));
      }).row());
    } finally {
      node.stop();
    }
  }

  private static String plate(Random random) {
    long g = 3L * (1 + random.nextInt(3_000_000));
    return "" + (char) (65 + (g / 3) % 26) + (char) (65 + (g / 78) % 26) + (char) (65 + (g / 2028) % 26)
        + String.format("%04d", (g * 13) % 10000);
  }
}
