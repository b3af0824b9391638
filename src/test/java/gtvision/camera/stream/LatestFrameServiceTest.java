package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node-to-node lookup of a camera's newest frame, with stand-ins for the other nodes' services. */
class LatestFrameServiceTest {
  private final ActorTestKit testKit = ActorTestKit.create();

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  private ActorRef<LatestFrameService.Command> service(LatestFrames latest) {
    return testKit.spawn(LatestFrameService.create(latest, Runnable::run, Duration.ofMillis(500)));
  }

  /** A stand-in for another node's service, listed once the receptionist says so (services see it the same way). */
  private TestProbe<LatestFrameService.Command> peer() {
    TestProbe<LatestFrameService.Command> peer = testKit.createTestProbe();
    TestProbe<Receptionist.Registered> registered = testKit.createTestProbe();
    testKit.system().receptionist().tell(Receptionist.register(LatestFrameService.KEY, peer.getRef(), registered.getRef()));
    registered.receiveMessage();
    return peer;
  }

  private static LatestFrameService.Answer fetch(ActorTestKit kit, ActorRef<LatestFrameService.Command> service, String camera) {
    TestProbe<LatestFrameService.Answer> asker = kit.createTestProbe();
    service.tell(new LatestFrameService.Fetch(camera, asker.getRef()));
    return asker.receiveMessage(Duration.ofSeconds(5));
  }

  @Test
  void theNodeThatHasTheFrameAnswersTheAskerWithIt() {
    TestProbe<LatestFrameService.Command> has = peer();
    ActorRef<LatestFrameService.Command> service = service(new LatestFrames(1 << 20));
    TestProbe<LatestFrameService.Answer> asker = null;
    LatestFrameService.Lookup lookup = null;
    for (int i = 0; i < 50 && lookup == null; i++) {
      asker = testKit.createTestProbe();
      service.tell(new LatestFrameService.Fetch("cam-1", asker.getRef()));
      try {
        lookup = (LatestFrameService.Lookup) has.receiveMessage(Duration.ofMillis(300));
      } catch (AssertionError notYet) {
        // Until the receptionist has told the service of its peer, nobody is asked and nobody has the frame.
        asker.expectMessage(new LatestFrameService.NoFrame(0));
      }
    }
    assertEquals("cam-1", lookup.cameraId());
    byte[] jpeg = {1, 2, 3};
    Instant at = Instant.parse("2026-12-03T12:00:00Z");
    lookup.replyTo().tell(new LatestFrameService.Found(lookup.requestId(), jpeg, at, 42));
    LatestFrameService.Frame frame = (LatestFrameService.Frame) asker.receiveMessage(Duration.ofSeconds(5));
    assertArrayEquals(jpeg, frame.jpeg());
    assertEquals(at, frame.capturedAt());
    assertEquals(42, frame.sequence());
    // A late answer to the same request changes nothing.
    lookup.replyTo().tell(new LatestFrameService.NotHere(lookup.requestId()));
    asker.expectNoMessage(Duration.ofMillis(700));
  }

  @Test
  void aPeerThatDoesNotAnswerIsCountedAfterTheTimeout() {
    TestProbe<LatestFrameService.Command> silent = peer();
    ActorRef<LatestFrameService.Command> service = service(new LatestFrames(1 << 20));
    LatestFrameService.Answer answer;
    do {
      answer = fetch(testKit, service, "cam-2");
    } while (answer.equals(new LatestFrameService.NoFrame(0))); // until the service has heard of its peer
    assertEquals(new LatestFrameService.NoFrame(1), answer);
    silent.expectMessageClass(LatestFrameService.Lookup.class);
  }

  @Test
  void aLookupIsAnsweredFromThisNodesFramesOrWithNotHere() {
    LatestFrames latest = new LatestFrames(1 << 20);
    Instant at = Instant.parse("2026-12-03T12:00:00Z");
    byte[] jpeg = {9, 8, 7};
    latest.put(new Frame("cam-3", 7, at, 640, 360, jpeg, null));
    ActorRef<LatestFrameService.Command> service = service(latest);
    TestProbe<LatestFrameService.Command> other = testKit.createTestProbe();
    service.tell(new LatestFrameService.Lookup(5, "cam-3", other.getRef()));
    LatestFrameService.Found found = other.expectMessageClass(LatestFrameService.Found.class);
    assertEquals(5, found.requestId());
    assertArrayEquals(jpeg, found.jpeg());
    assertEquals(7, found.sequence());
    service.tell(new LatestFrameService.Lookup(6, "cam-none", other.getRef()));
    assertEquals(new LatestFrameService.NotHere(6), other.receiveMessage());
  }
}
