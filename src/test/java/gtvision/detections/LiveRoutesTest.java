package gtvision.detections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity.DetectionsRecorded;
import gtvision.camera.Detection;
import gtvision.http.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The live feed's per-connection stream: camera filter, bounded buffer, close message for a slow consumer. */
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
        List.of(new Detection("car", 0.9, List.of(1.0, 2.0, 30.0, 40.0), "ABC1D23", 0.8)), at, "frames/k.jpg");
  }

  private static JsonNode json(Message message) throws Exception {
    return Json.MAPPER.readTree(message.asTextMessage().getStrictText());
  }

  private TestSubscriber.Probe<Message> connect(LiveRoutes routes, Set<String> cameras) throws Exception {
    TestSubscriber.Probe<Message> probe = routes.messages(cameras).runWith(TestSink.create(kit.system()), kit.system());
    // The subscriber joins the topic asynchronously.
    Thread.sleep(300);
    return probe;
  }

  @Test
  void deliversTheCamerasAskedFor() throws Exception {
    LiveRoutes routes = new LiveRoutes(feed, 16, Duration.ofSeconds(5));
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
  void disconnectsAConsumerThatFallsBehindWithACloseMessage() throws Exception {
    LiveRoutes routes = new LiveRoutes(feed, 8, Duration.ofSeconds(30));
    TestSubscriber.Probe<Message> probe = connect(routes, Set.of());
    List<DetectionsRecorded> burst = new ArrayList<>();
    for (int i = 0; i < 50; i++) burst.add(event("cam-slow", i));
    // The consumer asks for nothing while 50 messages arrive: more than its buffer of 8.
    feed.persisted(burst);
    Thread.sleep(500);
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
  void cutsAConsumerThatStopsReading() throws Exception {
    LiveRoutes routes = new LiveRoutes(feed, 64, Duration.ofMillis(500));
    TestSubscriber.Probe<Message> probe = connect(routes, Set.of("cam-stuck"));
    feed.persisted(List.of(event("cam-stuck", 1)));
    // Nothing requested: the waiting message times out and the connection fails (the socket is closed).
    Throwable error = probe.expectSubscriptionAndError(false);
    assertTrue(error.getClass().getSimpleName().contains("BackpressureTimeout"), error.toString());
  }
}
