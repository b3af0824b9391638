package gtvision.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import gtvision.detections.DetectionQuery;
import gtvision.objects.ObjectPlans;
import gtvision.objects.ObjectQuery;
import gtvision.objects.ObjectTable;
import gtvision.persistence.DatabaseSettings;
import gtvision.persistence.SchemaCreator;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Tracked objects out, on PostgreSQL: {@code gtv_objects} filled with N objects (default 10 million) by
 * {@link EventsData} through COPY into a throw-away database with the project's schema, then every typical
 * {@code GET /api/events} search through a running node's HTTP API, each as its first page and as a deep
 * page (a cursor at a random point of its range, as after paging far), plus {@code GET /api/events/{id}}
 * with its timeline. p50/p95/p99 over the runs, each run with fresh parameters, against the 50 ms p95
 * target; the floor is an empty search (HTTP round trip and one index probe) measured in the same run. The
 * executed plan of each search's slowest run shows which index served it.
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=gtvision.bench.EventsBenchmark -Dexec.args="10000000"
 * </pre>
 * Arguments: objects (default 10,000,000), runs per query (default 200), then optionally {@code keep} (leave
 * the database for another run; its name is printed) or {@code reuse=NAME} (query a kept database again:
 * no load, but the schema is applied, so new indexes get built).
 */
public final class EventsBenchmark {
  private static final double TARGET_P95_MS = 50;
  private static final int TIMELINE_EVERY = 10;
  private static final long SPAN = Duration.ofDays(30).toMillis();

  private EventsBenchmark() {}

  public static void main(String[] args) throws Exception {
    long objects = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    String option = args.length > 2 ? args[2] : "";
    if (!TestDatabases.postgresAvailable()) throw new IllegalStateException("needs PostgreSQL on 127.0.0.1:5432");
    int status = 0;
    try {
      run(objects, runs, option);
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    // Node and client threads must not keep the benchmark's JVM alive.
    System.exit(status);
  }

  private static void run(long objects, int runs, String option) throws Exception {
    Config db = option.startsWith("reuse=") ? database(option.substring(6)) : TestDatabases.postgres("bench_events");
    DatabaseSettings settings = DatabaseSettings.from(NodeConfig.load(db));
    String name = databaseName(settings);
    Instant end;
    EventsData data;
    if (option.startsWith("reuse=")) {
      end = Instant.ofEpochMilli(scalar(settings, "SELECT max(started_at) FROM gtv_objects")).truncatedTo(ChronoUnit.HOURS)
          .plus(Duration.ofHours(1));
      objects = scalar(settings, "SELECT max(id) FROM gtv_objects");
      data = new EventsData(objects, end, SPAN, TIMELINE_EVERY);
      data.seenPlates.addAll(plates(settings));
      long started = System.nanoTime();
      SchemaCreator.createIfNotExists(settings);
      System.out.printf(Locale.ROOT, "Reusing %s (%,d objects); schema applied in %.0f s%n%n", name, objects,
          (System.nanoTime() - started) / 1e9);
    } else {
      end = Instant.now().truncatedTo(ChronoUnit.HOURS);
      data = new EventsData(objects, end, SPAN, TIMELINE_EVERY);
      load(settings, data);
    }
    System.out.println("database: " + name);
    TestNodes.Node node = TestNodes.start(db, QueryLatency.nodeConfig());
    try {
      query(node, settings, data, end, runs);
    } finally {
      node.stop();
      if (!option.equals("keep") && !option.startsWith("reuse=")) drop(name);
    }
  }

  private static Config database(String name) {
    return ConfigFactory.parseString("gtv.db { kind = postgres, url = \"jdbc:postgresql://127.0.0.1:5432/" + name
        + "\", user = postgres, password = \"\" }");
  }

  // ---- load ----

  /**
   * The schema, its secondary indexes dropped, COPY, then the schema applied again: the indexes are built
   * once over the whole table (much faster than maintained row by row), exactly as the schema names them.
   */
  private static void load(DatabaseSettings settings, EventsData data) throws Exception {
    SchemaCreator.createIfNotExists(settings);
    try (Connection c = connect(settings); Statement s = c.createStatement()) {
      // Index builds may use more memory than the server default in this throw-away database.
      s.execute("ALTER DATABASE " + databaseName(settings) + " SET maintenance_work_mem = '512MB'");
      s.execute("ALTER TABLE gtv_objects DROP CONSTRAINT gtv_objects_track_uq");
      List<String> indexes = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename IN ('gtv_objects', "
          + "'gtv_object_timeline') AND indexname NOT LIKE '%_pkey'")) {
        while (rs.next()) indexes.add(rs.getString(1));
      }
      for (String index : indexes) s.execute("DROP INDEX " + index);
    }
    long started = System.nanoTime();
    try (Connection objects = connect(settings); Connection timeline = connect(settings)) {
      data.load(objects, timeline);
    }
    double copied = (System.nanoTime() - started) / 1e9;
    long indexing = System.nanoTime();
    try (Connection c = connect(settings); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE gtv_objects ADD CONSTRAINT gtv_objects_track_uq UNIQUE (camera_id, track_id)");
      s.execute("SELECT setval(pg_get_serial_sequence('gtv_objects', 'id'), " + data.objects + ")");
    }
    SchemaCreator.createIfNotExists(settings);
    double indexed = (System.nanoTime() - indexing) / 1e9;
    long analysing = System.nanoTime();
    try (Connection c = connect(settings); Statement s = c.createStatement()) {
      // As autovacuum would have left a long-lived table: statistics and the visibility map.
      s.execute("VACUUM ANALYZE gtv_objects");
      s.execute("VACUUM ANALYZE gtv_object_timeline");
    }
    System.out.printf(Locale.ROOT, "Loaded %,d objects (%,d active, %,d with a plate, %,d with zones) and %,d timeline "
            + "rows: COPY %.0f s, indexes %.0f s, VACUUM ANALYZE %.0f s; table %s, its indexes %s%n%n", data.objects,
        data.active, data.withPlate, data.withZones, data.timelineRows, copied, indexed,
        (System.nanoTime() - analysing) / 1e9,
        text(settings, "SELECT pg_size_pretty(pg_table_size('gtv_objects'))"),
        text(settings, "SELECT pg_size_pretty(pg_indexes_size('gtv_objects'))"));
  }

  // ---- queries ----

  /** The filters of one search, as query parameters and as the ObjectQuery the route builds from them. */
  record Filter(String camera, String cls, String zone, String plate, Instant from, Instant to, Long minSeconds,
      DetectionQuery.Cursor cursor) {
    static Filter none() {
      return new Filter(null, null, null, null, null, null, null, null);
    }

    Filter camera(String v) { return new Filter(v, cls, zone, plate, from, to, minSeconds, cursor); }
    Filter cls(String v) { return new Filter(camera, v, zone, plate, from, to, minSeconds, cursor); }
    Filter zone(String v) { return new Filter(camera, cls, v, plate, from, to, minSeconds, cursor); }
    Filter plate(String v) { return new Filter(camera, cls, zone, v, from, to, minSeconds, cursor); }
    Filter range(Instant f, Instant t) { return new Filter(camera, cls, zone, plate, f, t, minSeconds, cursor); }
    Filter minSeconds(long v) { return new Filter(camera, cls, zone, plate, from, to, v, cursor); }
    Filter cursor(DetectionQuery.Cursor v) { return new Filter(camera, cls, zone, plate, from, to, minSeconds, v); }

    String queryString() {
      StringJoiner q = new StringJoiner("&", "?", "");
      q.setEmptyValue("");
      if (camera != null) q.add("camera=" + camera);
      if (cls != null) q.add("class=" + cls);
      if (zone != null) q.add("zone=" + zone);
      if (plate != null) q.add("plate=" + plate);
      if (from != null) q.add("from=" + from);
      if (to != null) q.add("to=" + to);
      if (minSeconds != null) q.add("minDuration=" + minSeconds);
      if (cursor != null) q.add("cursor=" + cursor.encode());
      return q.toString();
    }

    /** What the route asks ObjectTable for: one row more than the default page of 50. */
    ObjectQuery query() {
      return new ObjectQuery(Optional.ofNullable(camera), Optional.ofNullable(cls), Optional.ofNullable(zone),
          Optional.ofNullable(plate), Optional.ofNullable(from), Optional.ofNullable(to),
          Optional.ofNullable(minSeconds).map(Duration::ofSeconds), Optional.ofNullable(cursor), 51);
    }
  }

  private static void query(TestNodes.Node node, DatabaseSettings settings, EventsData data, Instant end, int runs)
      throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    QueryLatency events = new QueryLatency(client, node.baseUrl() + "/api/events", runs);
    Random random = new Random(7);
    Instant start = end.minusMillis(SPAN);
    Supplier<String> camera = () -> EventsData.cameraId(random.nextInt(EventsData.CAMERAS));
    Supplier<String> cls = () -> EventsData.CLASSES.get(random.nextInt(EventsData.CLASSES.size()));
    Supplier<Instant> day = () -> start.plus(Duration.ofDays(random.nextInt(30)));
    List<String> absent = new ArrayList<>();
    for (int i = 0; i < 200; i++) absent.add(data.randomPlate());
    Supplier<String> plate = () -> {
      int kind = random.nextInt(10);
      // Regulars with long histories, plates seen once or twice, and plates never seen (a miss).
      return kind < 4 ? data.regular(random) : kind < 8 ? data.seenPlates.get(random.nextInt(data.seenPlates.size()))
          : absent.get(random.nextInt(absent.size()));
    };
    long[] minimums = {30, 60, 300, 900, 3600};

    Map<String, Supplier<Filter>> searches = new LinkedHashMap<>();
    searches.put("no filter", Filter::none);
    searches.put("camera", () -> Filter.none().camera(camera.get()));
    searches.put("camera + class", () -> Filter.none().camera(camera.get()).cls(cls.get()));
    searches.put("class + one day", () -> {
      Instant from = day.get();
      return Filter.none().cls(cls.get()).range(from, from.plus(Duration.ofDays(1)));
    });
    searches.put("plate exact", () -> Filter.none().plate(plate.get()));
    searches.put("zone", () -> Filter.none().zone(EventsData.ZONES.get(random.nextInt(EventsData.ZONES.size()))));
    searches.put("minDuration (30 s .. 1 h)", () -> Filter.none().minSeconds(minimums[random.nextInt(minimums.length)]));
    searches.put("camera + one day", () -> {
      Instant from = day.get();
      return Filter.none().camera(camera.get()).range(from, from.plus(Duration.ofDays(1)));
    });

    // In order: the SQL-only pass repeats the HTTP runs' parameters in the same order.
    List<Filter> issued = new ArrayList<>();
    Function<Supplier<Filter>, Supplier<String>> asText = filters -> () -> {
      Filter f = filters.get();
      String text = f.queryString();
      issued.add(f);
      return text;
    };
    List<Row> rows = new ArrayList<>();
    QueryLatency.Result floor = events.measure("floor: empty search (unknown camera)", () -> "?camera=none-such");
    for (var search : searches.entrySet()) {
      rows.add(measure(events, settings, search.getKey() + ", first page", asText.apply(search.getValue()), issued));
      Supplier<Filter> deep = () -> {
        Filter f = search.getValue().get();
        long low = f.from() != null ? f.from().toEpochMilli() : start.toEpochMilli();
        long high = f.to() != null ? f.to().toEpochMilli() : end.toEpochMilli();
        return f.cursor(new DetectionQuery.Cursor(low + (long) (random.nextDouble() * (high - low)), Long.MAX_VALUE));
      };
      rows.add(measure(events, settings, search.getKey() + ", deep page", asText.apply(deep), issued));
    }
    long sampled = data.objects / TIMELINE_EVERY;
    QueryLatency.Result byId = events.measure("GET /api/events/{id} with timeline",
        () -> "/" + TIMELINE_EVERY * (1 + random.nextLong(sampled)));
    rows.add(new Row(byId, Double.NaN, "PK lookup, then gtv_object_timeline_idx", List.of()));

    System.out.printf(Locale.ROOT, "%nfloor (empty search: HTTP and one index probe): p50 %.1f ms, p95 %.1f ms%n%n",
        floor.p50(), floor.p95());
    System.out.println("| query | runs | p50 ms | p95 ms | p99 ms | p95 / 50 ms | p95 / floor | SQL alone p95 ms "
        + "| plan of the slowest run |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      QueryLatency.Result x = r.result();
      System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.2f | %.1f | %s | %s |%n", x.name(), x.runs(),
          x.p50(), x.p95(), x.p99(), x.p95() / TARGET_P95_MS, x.p95() / floor.p95(),
          Double.isNaN(r.sqlP95()) ? "-" : String.format(Locale.ROOT, "%.1f", r.sqlP95()), r.shape());
    }
    System.out.println();
    for (Row r : rows) {
      if (r.result().p95() < TARGET_P95_MS / 2) continue;
      System.out.println("Plan of the slowest run of \"" + r.result().name() + "\" (" + r.result().slowest() + "):");
      r.plan().forEach(line -> System.out.println("    " + line));
      System.out.println();
    }
  }

  /** {@code sqlP95}: the same searches straight through ObjectTable on one connection, no HTTP, no node. */
  record Row(QueryLatency.Result result, double sqlP95, String shape, List<String> plan) {}

  private static Row measure(QueryLatency events, DatabaseSettings settings, String name, Supplier<String> query,
      List<Filter> issued) throws Exception {
    issued.clear();
    QueryLatency.Result result = events.measure(name, query);
    List<String> plan;
    List<Long> sql = new ArrayList<>();
    try (Connection c = connect(settings)) {
      // The HTTP pass's own runs (after its warm-up): the same parameters, the same order.
      for (Filter f : issued.subList(Math.max(0, issued.size() - result.runs()), issued.size())) {
        long started = System.nanoTime();
        ObjectTable.page(c, f.query());
        sql.add(System.nanoTime() - started);
      }
      Filter slowest = issued.stream().filter(f -> f.queryString().equals(result.slowest())).findFirst().orElseThrow();
      plan = ObjectPlans.explain(c, slowest.query());
    }
    Collections.sort(sql);
    return new Row(result, QueryLatency.pct(sql, 95), shape(plan), plan);
  }

  /** The plan's nodes, outermost first, e.g. "Limit > Index Scan using gtv_objects_camera_idx (rows 51)". */
  static String shape(List<String> plan) {
    List<String> nodes = new ArrayList<>();
    String time = "";
    for (String line : plan) {
      String l = line.strip();
      if (l.startsWith("Execution Time:")) time = ", " + l.substring("Execution Time:".length()).strip();
      if (l.startsWith("->")) l = l.substring(2).strip();
      if (!Character.isUpperCase(l.isEmpty() ? ' ' : l.charAt(0)) || l.contains(":")) continue;
      int paren = l.indexOf(" (");
      String node = paren > 0 ? l.substring(0, paren) : l;
      if (node.contains(" on gtv_")) node = node.substring(0, node.indexOf(" on gtv_"));
      nodes.add(node);
    }
    return String.join(" > ", nodes) + time;
  }

  // ---- database helpers ----

  private static String databaseName(DatabaseSettings settings) {
    String path = settings.url().substring(settings.url().lastIndexOf('/') + 1);
    return path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
  }

  private static Connection connect(DatabaseSettings settings) throws SQLException {
    return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
  }

  private static long scalar(DatabaseSettings settings, String sql) throws SQLException {
    try (Connection c = connect(settings); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String text(DatabaseSettings settings, String sql) throws SQLException {
    try (Connection c = connect(settings); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> plates(DatabaseSettings settings) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = connect(settings); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT plate FROM gtv_objects TABLESAMPLE SYSTEM (1) WHERE plate IS NOT NULL LIMIT 2000")) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }

  private static void drop(String name) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
