package gtvision.detections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestKafka;
import gtvision.testsupport.TestNodes;
import gtvision.testsupport.TestS3;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Kafka (in-JVM KRaft), real S3 (S3Proxy), PostgreSQL where there is one: every detection reaches
 * the table exactly once and the topic at least once although the node (and its projections) stops
 * in the middle of a stream of writes and another node takes over; evidence goes to and comes back
 * from the bucket.
 */
class KafkaAndS3Test {
  private static final String TOPIC = "gtv-test-detections";
  private static final List<String> CAMERAS = List.of("k-1", "k-2", "k-3");
  @TempDir static Path dir;
  private static TestKafka kafka;
  private static TestS3 s3;
  private static Config database;

  @BeforeAll
  static void start() throws Exception {
    kafka = new TestKafka(dir);
    s3 = new TestS3();
    s3.createBucket("evidence");
    database = TestDatabases.preferPostgres("detections_kafka", dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (s3 != null) s3.close();
    if (kafka != null) kafka.close();
  }

  private static TestNodes.Node node(String name) {
    return TestNodes.start(database, ConfigFactory.parseString(String.join("\n",
            "gtv.data-dir = \"" + dir.resolve(name).toString().replace("\\", "/") + "\"",
            "gtv.detections.kafka.bootstrap = \"" + kafka.bootstrap() + "\"",
            "gtv.detections.kafka.topic = \"" + TOPIC + "\"",
            "gtv.camera.stream.motion.force-every = 1s"))
        .withFallback(s3.evidenceConfig("evidence")), system -> new DetectionsApiTest.BoxAnalyser());
  }

  @Test
  void everyDetectionReachesTheTableOnceAndKafkaAtLeastOnceAcrossARestart() throws Exception {
    TestNodes.Node first = node("first");
    CameraApi cameras = new CameraApi(first);
    for (String id : CAMERAS) cameras.register(id, "snapshot", "http://127.0.0.1:9/none.jpg", 1.0, "\"enabled\": false");
    DetectionsClient firstApi = new DetectionsClient(first);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!firstApi.get("/api/cameras?limit=500").body().contains("k-3") && System.nanoTime() < deadline) Thread.sleep(100);

    // A producer writes batches without pause; the node under it stops and another one takes over.
    AtomicReference<DetectionsClient> target = new AtomicReference<>(firstApi);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean running = new AtomicBoolean(true);
    Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
    Thread producer = new Thread(() -> {
      long sequence = 0;
      while (running.get()) {
        List<String> items = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++, sequence++) {
          String camera = CAMERAS.get((int) (sequence % CAMERAS.size()));
          items.add(DetectionsClient.item(camera, base.plusMillis(sequence), "car", 0.9, null, sequence));
          keys.add(camera + "#" + sequence);
        }
        try {
          HttpResponse<String> response = target.get().ingest(DetectionsClient.body(items), "192.0.2." + (sequence % 200));
          if (response.statusCode() == 200) acknowledged.addAll(keys);
        } catch (RuntimeException e) {
          // The node is stopping or gone: this batch is not acknowledged.
          DetectionsClient.sleep(50);
        }
      }
    }, "ingest-producer");
    producer.start();
    awaitSize(acknowledged, 600, Duration.ofSeconds(60));
    first.stop();
    int beforeRestart = acknowledged.size();
    TestNodes.Node second = node("second");
    try {
      DetectionsClient secondApi = new DetectionsClient(second);
      target.set(secondApi);
      awaitSize(acknowledged, beforeRestart + 600, Duration.ofSeconds(60));
      running.set(false);
      producer.join(30_000);

      // The table: every acknowledged detection exactly once.
      Map<String, Integer> rows = awaitRows(acknowledged, Duration.ofSeconds(60));
      for (String key : acknowledged) assertEquals(1, rows.get(key), "table rows for " + key);
      rows.forEach((key, count) -> assertEquals(1, count, "no duplicate row for " + key));

      // Kafka: every acknowledged detection, duplicates allowed (at-least-once), keyed by camera.
      Map<String, Integer> published = consumeUntil(acknowledged, Duration.ofSeconds(60));
      assertTrue(published.keySet().containsAll(acknowledged),
          "missing on Kafka: " + acknowledged.stream().filter(k -> !published.containsKey(k)).limit(10).toList());
      assertTrue(published.keySet().containsAll(rows.keySet()), "everything in the journal is published");
      long duplicates = published.values().stream().filter(n -> n > 1).count();
      System.out.printf("Kafka restart test: %d acknowledged, %d rows, %d distinct on Kafka, %d duplicated%n",
          acknowledged.size(), rows.size(), published.size(), duplicates);

      evidenceGoesToS3AndComesBack(second, secondApi);
    } finally {
      running.set(false);
      second.stop();
    }
  }

  private static void evidenceGoesToS3AndComesBack(TestNodes.Node node, DetectionsClient api) throws Exception {
    try (TestCameraServer camera = new TestCameraServer(List.of(DetectionsApiTest.grayJpeg()), 2, dir)) {
      new CameraApi(node).register("evid", "snapshot", camera.url("/snapshot.jpg"), 2.0);
      List<JsonNode> found = api.await("camera=evid", items -> !items.isEmpty(), Duration.ofSeconds(30));
      new CameraApi(node).post("/api/cameras/evid/disable");
      JsonNode detection = found.get(0);
      String key = detection.get("evidenceKey").asText();
      assertTrue(s3.exists("evidence", key), "the frame is in the bucket under " + key);
      HttpResponse<byte[]> plain = api.bytes(detection.get("frameUrl").asText());
      assertEquals(200, plain.statusCode());
      assertEquals((byte) 0xFF, plain.body()[0]);
      assertEquals((byte) 0xD8, plain.body()[1]);
      HttpResponse<byte[]> boxed = api.bytes(detection.get("frameUrl").asText() + "?boxes=true");
      assertEquals(200, boxed.statusCode());
      assertTrue(!Arrays.equals(plain.body(), boxed.body()), "boxes drawn");
    }
  }

  private static void awaitSize(Set<String> set, int size, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (set.size() < size) {
      if (System.nanoTime() > deadline) throw new AssertionError("only " + set.size() + " acknowledged within " + timeout);
      Thread.sleep(50);
    }
  }

  /** camera#frameSequence -> rows in the detections table, once the table holds every acknowledged key. */
  private static Map<String, Integer> awaitRows(Set<String> acknowledged, Duration timeout) throws Exception {
    Config db = database.getConfig("gtv.db");
    String url = db.getString("kind").equals("h2")
        ? "jdbc:h2:file:" + dir.resolve("second").resolve("gtvision").toAbsolutePath() : db.getString("url");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, Integer> rows = new HashMap<>();
      try (Connection c = DriverManager.getConnection(url, db.hasPath("user") && !db.getString("user").isEmpty()
              ? db.getString("user") : "sa", db.hasPath("password") ? db.getString("password") : "");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT camera_id, frame_sequence, COUNT(*) FROM detections "
              + "WHERE camera_id LIKE 'k-%' GROUP BY camera_id, frame_sequence")) {
        while (rs.next()) rows.put(rs.getString(1) + "#" + rs.getLong(2), rs.getInt(3));
      }
      if (rows.keySet().containsAll(acknowledged) || System.nanoTime() > deadline) return rows;
      Thread.sleep(300);
    }
  }

  private static Map<String, Integer> consumeUntil(Set<String> expected, Duration timeout) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrap());
    p.put("group.id", "verify-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    Map<String, Integer> seen = new HashMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!seen.keySet().containsAll(expected) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          JsonNode message = DetectionsClient.parse(record.value());
          assertEquals(1, message.get("version").asInt());
          assertEquals(record.key(), message.get("cameraId").asText(), "keyed by camera");
          if (!record.key().startsWith("k-")) continue;
          // The topic also carries the cameras' tracked objects ("type": "object"); this counts detections.
          if (!DetectionMessage.TYPE.equals(message.get("type").asText())) continue;
          assertTrue(message.get("eventSequence").asLong() > 0);
          seen.merge(record.key() + "#" + message.get("frameSequence").asLong(), 1, Integer::sum);
        }
      }
    }
    return seen;
  }
}
