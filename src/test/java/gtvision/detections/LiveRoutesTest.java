package gtvision.detections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import gtvision.alerts.AlertMessage;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraEntity.DetectionsRecorded;
import gtvision.camera.ObjectFrame;
import gtvision.camera.RecordedDetection;
import gtvision.http.Json;
import gtvision.testsupport.LiveFeedClient;
import gtvision.testsupport.TestNodes;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live feed's per-connection stream: camera filter, bounded buffer, close message for a slow consumer;
 * and the same through a real WebSocket whose client stops reading.
 */
class LiveRoutesTest {
  private static ActorTestKit kit;
  private static LiveFeed feed;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("live", ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    feed = new LiveFeed(kit.system());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static DetectionsRecorded event(String camera, long sequence) {
    Instant at = Instant.parse("2026-11-24T10:00:00Z").plusSeconds(sequence);
    return new DetectionsRecorded(camera, sequence, at, "gpu",
        List.of(new RecordedDetection("car", 0.9, List.of(1.0, 2.0, 30.0, 40.0), "ABC1D23", 0.8)), at, "frames/k.jpg");
  }

  private static JsonNode json(Message message) throws Exception {
    return Json.get(kit.system()).mapper().readTree(message.asTextMessage().getStrictText());
  }

  private TestSubscriber.Probe<Message> connect(LiveRoutes routes, Set<String> cameras) {
    // Earlier tests' connections leave the topic asynchronously: start from none.
    awaitSubscribers(0);
    TestSubscriber.Probe<Message> probe = routes.messages(cameras).runWith(TestSink.create(kit.system()), kit.system());
    // The subscriber joins the topic asynchronously: events published before it joined would be missed.
    awaitSubscribers(1);
    return probe;
  }

  /** Polls until {@code count} connections on this node are subscribed to the feed. */
  private static void awaitSubscribers(int count) {
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
      assertEquals(count, feed.localSubscribers().toCompletableFuture().get(3, TimeUnit.SECONDS), "live subscribers");
      return null;
    });
  }

  @Test
  void deliversTheCamerasAskedFor() throws Exception {
    LiveRoutes routes = new LiveRoutes(kit.system(), feed, 16, Duration.ofSeconds(5));
    TestSubscriber.Probe<Message> probe = connect(routes, Set.of("cam-a"));
    probe.request(10);
    feed.persisted(List.of(event("cam-b", 1), event("cam-a", 2)));
    JsonNode message = json(probe.expectNext(Duration.ofSeconds(5)));
    assertEquals(DetectionMessage.VERSION, message.get("version").asInt());
    assertEquals("cam-a", message.get("cameraId").asText());
    assertEquals(2, message.get("frameSequence").asLong());
    assertEquals("car", message.get("detections").get(0).get("class").asText());
    assertEquals("frames/k.jpg", message.get("evidenceKey").asText());
    probe.expectNoMessage(Duration.ofMillis(300));
    probe.cancel();
  }

  @Test
  void anAlertIsSentAtOnceAsTheAlertRecord() throws Exception {
    LiveRoutes routes = new LiveRoutes(kit.system(), feed, 16, Duration.ofSeconds(5));
    TestSubscriber.Probe<Message> probe = connect(routes, Set.of("cam-a"));
    probe.request(10);
    ObjectFrame frame = new ObjectFrame(2, Instant.parse("2026-01-01T00:00:00Z"), "car", 0.9, List.of(1.0, 2.0, 30.0, 40.0),
        "AB12CD", null);
    feed.persisted(List.of(new CameraEntity.AlertRaised("cam-a", 7, "cam-a:7:1", "AB12CD", "1", "AB12CD", "stolen", "car",
        frame, Instant.parse("2026-01-01T00:00:01Z"))));
    JsonNode message = json(probe.expectNext(Duration.ofSeconds(5)));
    assertEquals(AlertMessage.TYPE, message.get("type").asText());
    assertEquals(AlertMessage.VERSION, message.get("version").asInt());
    assertEquals("cam-a:7:1", message.get("alertId").asText());
    assertEquals("stolen", message.get("label").asText());
    assertTrue(message.path("eventSequence").isMissingNode(), "not known on the live feed: left out");
    probe.cancel();
  }

  @Test
  void aClientThatAsksForAlertsGetsNoDetections() throws Exception {
    LiveRoutes routes = new LiveRoutes(kit.system(), feed, 16, Duration.ofSeconds(5));
    awaitSubscribers(0);
    TestSubscriber.Probe<Message> probe = routes.messages(Set.of(), Set.of(AlertMessage.TYPE)).runWith(TestSink.create(kit.system()), kit.system());
    awaitSubscribers(1);
    probe.request(10);
    ObjectFrame frame = new ObjectFrame(3, Instant.parse("2026-01-01T00:00:00Z"), "car", 0.9, List.of(1.0, 2.0, 30.0, 40.0),
        "XY12ZW", null);
    feed.persisted(List.of(event("cam-a", 1), event("cam-b", 2), new CameraEntity.AlertRaised("cam-b", 9, "cam-b:9:1", "XY12ZW", "1",
        "XY*", "watched", "car", frame, Instant.parse("2026-01-01T00:00:01Z"))));
    JsonNode message = json(probe.expectNext(Duration.ofSeconds(5)));
    assertEquals(AlertMessage.TYPE, message.get("type").asText(), "the detections before it were left out");
    assertEquals("cam-b:9:1", message.get("alertId").asText());
    probe.expectNoMessage(Duration.ofMillis(300));
    probe.cancel();
  }

  @Test
  void anUnknownRecordTypeIsRefusedNamingTheParameter() throws Exception {
    LiveRoutes routes = new LiveRoutes(kit.system(), feed, 16, Duration.ofSeconds(5));
    int port = TestNodes.freePort();
    ServerBinding binding = Http.get(kit.system()).newServerAt("127.0.0.1", port).bind(routes.route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/live?type=alert,frames")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), r.body());
      JsonNode error = Json.get(kit.system()).mapper().readTree(r.body());
      assertEquals("type", error.get("field").asText());
      assertTrue(error.get("error").asText().contains("frames"), r.body());
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void disconnectsAConsumerThatFallsBehindWithACloseMessage() throws Exception {
    LiveRoutes routes = new LiveRoutes(kit.system(), feed, 8, Duration.ofSeconds(30));
    TestSubscriber.Probe<Message> probe = connect(routes, Set.of());
    List<DetectionsRecorded> burst = new ArrayList<>();
    for (int i = 0; i < 50; i++) burst.add(event("cam-slow", i));
    // The consumer asks for nothing while 50 messages arrive: more than its buffer of 8.
    feed.persisted(burst);
    // A subscriber whose connection refuses an event leaves the topic: the overflow has happened.
    awaitSubscribers(0);
    probe.request(100);
    List<JsonNode> received = new ArrayList<>();
    while (true) {
      var next = probe.expectNextOrComplete();
      if (next.isLeft()) break;
      received.add(json(next.right().get()));
    }
    JsonNode last = received.get(received.size() - 1);
    assertEquals("closed", last.get("type").asText(), "last message " + last);
    assertTrue(last.get("reason").asText().startsWith("slow consumer"), last.toString());
    // The buffer, the few elements held between fused stages, and the close message: never all 50.
    assertTrue(received.size() <= 8 + 5, "got " + received.size());
  }

  @Test
  void aClientThatStopsReadingItsSocketIsDisconnectedWithTheReason() throws Exception {
    LiveRoutes routes = new LiveRoutes(kit.system(), feed, 8, Duration.ofSeconds(30));
    int port = TestNodes.freePort();
    ServerBinding binding = Http.get(kit.system()).newServerAt("127.0.0.1", port).bind(routes.route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      // A real WebSocket client that reads nothing: the kernel's buffers fill and the server's writes
      // stall, as with a client on a slow link.
      awaitSubscribers(0);
      LiveFeedClient client = LiveFeedClient.stalled(URI.create("ws://127.0.0.1:" + port + "/api/live?camera=cam-socket"));
      // The subscriber joins the topic asynchronously: events published before it joined would be missed.
      awaitSubscribers(1);
      // About 20 MB of messages, far more than the socket buffers on both ends hold.
      int sent = 4_000;
      for (int batch = 0; batch < sent / 100; batch++) {
        int from = batch * 100;
        feed.persisted(IntStream.range(from, from + 100).mapToObj(i -> bigEvent("cam-socket", i)).toList());
        Thread.sleep(5); // paces the publisher, as frames would
      }
      // The server gives up on the stalled socket when its queue overflows: its subscriber leaves.
      awaitSubscribers(0);
      client.readAll();
      String how = client.ended(30);
      List<String> messages = client.messages();
      String last = messages.get(messages.size() - 1);
      JsonNode closing = Json.get(kit.system()).mapper().readTree(last);
      assertEquals("closed", closing.get("type").asText(), how + ", last message " + last.substring(0, Math.min(200, last.length())));
      assertTrue(closing.get("reason").asText().startsWith("slow consumer"), last);
      assertTrue(messages.size() < sent / 2, "the server held back " + messages.size() + " of " + sent);
      assertTrue(how.startsWith("close"), how);
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** About 5 KB of JSON: 50 detections. */
  private static DetectionsRecorded bigEvent(String camera, long sequence) {
    Instant at = Instant.parse("2026-11-24T10:00:00Z").plusSeconds(sequence);
    List<RecordedDetection> detections = IntStream.range(0, 50)
        .mapToObj(i -> new RecordedDetection("car", 0.9, List.of(1.0 + i, 2.0, 30.0 + i, 40.0), "ABC" + (1000 + i), 0.8))
        .toList();
    return new DetectionsRecorded(camera, sequence, at, "gpu", detections, at, "frames/" + camera + "/" + sequence + ".jpg");
  }

  @Test
  void cutsAConsumerThatStopsReading() throws Exception {
    LiveRoutes routes = new LiveRoutes(kit.system(), feed, 64, Duration.ofMillis(500));
    TestSubscriber.Probe<Message> probe = connect(routes, Set.of("cam-stuck"));
    feed.persisted(List.of(event("cam-stuck", 1)));
    // Nothing requested: the waiting message times out and the connection fails (the socket is closed).
    Throwable error = probe.expectSubscriptionAndError(false);
    assertTrue(error.getClass().getSimpleName().contains("BackpressureTimeout"), error.toString());
  }
}
