package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.OtlpReceiver;
import gtvision.testsupport.OtlpReceiver.ReceivedSpan;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestKafka;
import gtvision.testsupport.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces of a node wired as in production, exported with OTLP/HTTP to a local receiver: one camera
 * frame is one trace from its capture through the motion gate, inference (the real YOLOX model), its
 * evidence and persist to the read sides (the detections table, Kafka); a bulk ingest request continues
 * its producer's trace, on to the Kafka record's {@code traceparent} header.
 */
class CameraTracesTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TOPIC = "gtvision.traces";
  private static TestKafka kafka;
  @TempDir static Path dataDir;
  private static OtlpReceiver receiver;
  private static TestNodes.Node node;
  private static TestCameraServer camera;
  private static CameraApi api;

  @BeforeAll
  static void start() throws Exception {
    receiver = new OtlpReceiver();
    kafka = new TestKafka(dataDir.resolve("kafka"));
    camera = new TestCameraServer(List.of(SharedData.imageBytes("dog.jpg")), 5, dataDir);
    node = TestNodes.startWithInference(TestDatabases.preferPostgres("traces", dataDir),
        ConfigFactory.parseString(String.join("\n",
            "gtv.inference.gpu.placement = any",
            "gtv.inference.gpu.model-path = \"" + SharedData.yolox() + "\"",
            "gtv.inference.plates.model-dir = \"" + SharedData.ocrDir() + "\"",
            "gtv.tracing.otlp-endpoint = \"" + receiver.endpoint() + "\"",
            "gtv.tracing.service-name = \"gtvision-traces-test\"",
            "gtv.tracing.export-interval = 200ms",
            "gtv.detections.kafka.bootstrap = \"" + kafka.bootstrap() + "\"",
            "gtv.detections.kafka.topic = \"" + TOPIC + "\""))
            .withFallback(IngestTestConfig.fast()));
    api = new CameraApi(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (camera != null) camera.close();
    if (receiver != null) receiver.close();
    if (kafka != null) kafka.close();
  }

  private static final List<String> FRAME_PATH = List.of(
      "frame", "inference", "inference gpu", "store evidence", "persist DetectionsRecorded", "project detections",
      "publish " + TOPIC);

  @Test
  void aFrameIsOneTraceFromCaptureToTheReadSide() {
    api.register("traced-dog", "snapshot", camera.url("/snapshot.jpg"), 1.0);
    List<ReceivedSpan> trace = receiver.await(spans -> completeFrameTrace(spans, "traced-dog").isPresent(), WAIT,
        "trace of a frame of traced-dog with " + FRAME_PATH);
    String traceId = completeFrameTrace(trace, "traced-dog").orElseThrow();
    ReceivedSpan frame = one(trace, traceId, "frame");
    ReceivedSpan inference = one(trace, traceId, "inference");
    ReceivedSpan router = one(trace, traceId, "inference gpu");
    ReceivedSpan evidence = one(trace, traceId, "store evidence");
    ReceivedSpan persist = one(trace, traceId, "persist DetectionsRecorded");
    ReceivedSpan project = one(trace, traceId, "project detections");
    ReceivedSpan publish = one(trace, traceId, "publish " + TOPIC);

    assertEquals("", frame.parentSpanId(), "the frame's span starts the trace");
    assertEquals(persist.spanId(), publish.parentSpanId());
    assertEquals("PRODUCER", publish.kind());
    assertEquals(frame.spanId(), inference.parentSpanId());
    assertEquals(inference.spanId(), router.parentSpanId());
    assertEquals(frame.spanId(), evidence.parentSpanId());
    assertEquals(frame.spanId(), persist.parentSpanId());
    assertEquals(persist.spanId(), project.parentSpanId());

    assertEquals("gtvision-traces-test", frame.service());
    assertEquals("analysed", frame.attributes().get("gtv.outcome"));
    assertEquals(frame.attributes().get("gtv.frame.sequence"), project.attributes().get("gtv.frame.sequence"));
    assertEquals("detected", inference.attributes().get("gtv.outcome"));
    assertEquals("gpu", inference.attributes().get("gtv.inference.provider"));
    assertEquals("CLIENT", router.kind());
    assertEquals("gpu", router.attributes().get("gtv.inference.provider"));
    assertEquals("1", router.attributes().get("gtv.inference.batch_size"));
    assertEquals("CLOSED", router.attributes().get("gtv.inference.breaker"));
    assertEquals("detected", router.attributes().get("gtv.outcome"));
    assertTrue(router.attributes().get("gtv.inference.model").contains("yolox"), router.toString());
    assertEquals("stored", evidence.attributes().get("gtv.outcome"));
    assertEquals("traced-dog", persist.attributes().get("gtv.camera.id"));
    assertEquals("CONSUMER", project.kind());
    assertTrue(receiver.requests().stream().allMatch("application/x-protobuf"::equals), receiver.requests().toString());
  }

  @Test
  void bulkIngestContinuesTheProducersTrace() throws Exception {
    api.request("POST", "/api/cameras", """
        {"id": "traced-ingest", "name": "Traced ingest", "sourceUrl": "http://127.0.0.1:9/x.jpg",
         "sourceKind": "snapshot", "fps": 1.0, "enabled": false}""");
    String traceId = HexFormat.of().formatHex(randomBytes(16));
    String producerSpan = HexFormat.of().formatHex(randomBytes(8));
    String body = """
        {"detections": [{"cameraId": "traced-ingest", "timestamp": "%s", "class": "car", "confidence": 0.9,
         "bbox": [10, 20, 110, 220], "frameWidth": 1920, "frameHeight": 1080, "frameSequence": 7}]}"""
        .formatted(Instant.now());
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/ingest/detections"))
        .header("Content-Type", "application/json")
        .header("traceparent", "00-" + traceId + "-" + producerSpan + "-01")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    // The camera is accepted once the cameras read side has it.
    long deadline = System.nanoTime() + WAIT.toNanos();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    while (response.statusCode() == 400 && response.body().contains("not found") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    }
    assertEquals(200, response.statusCode(), response.body());

    List<ReceivedSpan> spans = receiver.await(
        all -> all.stream().anyMatch(s -> s.traceId().equals(traceId) && s.name().equals("project detections")),
        WAIT, "read-side span of the ingested frame");
    ReceivedSpan server = spans.stream()
        .filter(s -> s.traceId().equals(traceId) && s.kind().equals("SERVER")
            && "200".equals(s.attributes().get("http.response.status_code")))
        .findFirst().orElseThrow(() -> new AssertionError("no server span of the accepted request: " + spans));
    ReceivedSpan persist = one(spans, traceId, "persist DetectionsRecorded");
    ReceivedSpan project = one(spans, traceId, "project detections");
    assertEquals(producerSpan, server.parentSpanId(), "the server span is a child of the producer's span");
    assertEquals("POST /api/ingest/detections", server.name());
    assertEquals(server.spanId(), persist.parentSpanId());
    assertEquals(persist.spanId(), project.parentSpanId());
    assertEquals("7", project.attributes().get("gtv.frame.sequence"));
    ReceivedSpan publish = receiver.await(
        all -> all.stream().anyMatch(s -> s.traceId().equals(traceId) && s.name().equals("publish " + TOPIC)),
        WAIT, "Kafka publish span of the ingested frame").stream()
        .filter(s -> s.traceId().equals(traceId) && s.name().equals("publish " + TOPIC)).findFirst().orElseThrow();
    assertEquals(persist.spanId(), publish.parentSpanId());
    String header = traceparentOfRecord("traced-ingest", 7);
    assertTrue(header != null && header.startsWith("00-" + traceId + "-" + publish.spanId() + "-"),
        "the Kafka record carries the publish span on to its consumers: " + header);
  }

  /** The traceparent header of the topic's detection record of {@code camera}'s frame {@code sequence}. */
  private static String traceparentOfRecord(String camera, long sequence) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrap());
    p.put("group.id", "traces-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (!record.key().equals(camera) || !record.value().contains("\"frameSequence\":" + sequence)) continue;
          if (!record.value().contains("\"type\":\"detections\"")) continue;
          Header header = record.headers().lastHeader("traceparent");
          return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.US_ASCII);
        }
      }
    }
    throw new AssertionError("no detection record of " + camera + " frame " + sequence + " on " + TOPIC);
  }

  /** The id of a trace of {@code cameraId}'s frames that has every span of a frame's path. */
  private static Optional<String> completeFrameTrace(List<ReceivedSpan> spans, String cameraId) {
    return spans.stream()
        .filter(s -> s.name().equals("project detections") && cameraId.equals(s.attributes().get("gtv.camera.id")))
        .map(ReceivedSpan::traceId)
        .filter(traceId -> FRAME_PATH.stream()
            .allMatch(name -> spans.stream().anyMatch(s -> s.traceId().equals(traceId) && s.name().equals(name))))
        .findFirst();
  }

  private static ReceivedSpan one(List<ReceivedSpan> spans, String traceId, String name) {
    List<ReceivedSpan> found = spans.stream().filter(s -> s.traceId().equals(traceId) && s.name().equals(name)).toList();
    assertFalse(found.isEmpty(), "no span " + name + " in trace " + traceId + ": " + spans);
    assertEquals(1, found.size(), "spans " + name + " in trace " + traceId + ": " + found);
    return found.get(0);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    bytes[0] |= 1; // never all zeros (an invalid id)
    return bytes;
  }
}
