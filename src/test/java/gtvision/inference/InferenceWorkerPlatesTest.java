package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker's ReadPlates command: answered from the detector's stage, failures as for Detect. */
class InferenceWorkerPlatesTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  ActorTestKit kit;

  @BeforeEach
  void start() {
    // The node's serialization bindings (CBOR for CborSerializable), on a local actor system.
    kit = ActorTestKit.create(ConfigFactory.parseResources("serialization.conf")
        .withFallback(ConfigFactory.parseString("pekko.actor.provider = local")).withFallback(ConfigFactory.load()));
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  /** Reads the crop's length as plate confidence, or fails as scripted. */
  static final class CropDetector implements Detector {
    final Throwable failure;

    CropDetector(Throwable failure) {
      this.failure = failure;
    }

    @Override
    public String provider() {
      return "gpu";
    }

    @Override
    public String modelId() {
      return "crops";
    }

    @Override
    public int capacity() {
      return 1;
    }

    @Override
    public CompletionStage<List<DetectionResult>> detect(List<ImageInput> images, DetectOptions options) {
      return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public CompletionStage<List<Optional<Plate>>> readPlates(List<ImageInput> crops) {
      if (failure != null) return CompletableFuture.failedFuture(failure);
      return CompletableFuture.completedFuture(crops.stream()
          .map(c -> ((ImageInput.Encoded) c).bytes().length == 0
              ? Optional.<Plate>empty()
              : Optional.of(new Plate("ABC1234", ((ImageInput.Encoded) c).bytes().length / 10.0)))
          .toList());
    }

    @Override
    public void close() {}
  }

  ActorRef<InferenceWorker.Command> worker(Detector d) {
    ActorRef<InferenceWorker.Command> w =
        kit.spawn(InferenceWorker.create("gpu", () -> d, Duration.ofSeconds(10), Duration.ofSeconds(60)));
    TestProbe<WorkerStatus> status = kit.createTestProbe();
    w.tell(new InferenceWorker.Subscribe(status.getRef()));
    status.fishForMessage(WAIT, s -> s.state() == WorkerStatus.State.READY
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    return w;
  }

  InferenceWorker.Reply readPlates(ActorRef<InferenceWorker.Command> worker, List<byte[]> crops) {
    TestProbe<InferenceWorker.Reply> reply = kit.createTestProbe();
    worker.tell(new InferenceWorker.ReadPlates(crops, reply.getRef()));
    return reply.receiveMessage(WAIT);
  }

  @Test
  void platesComeBackOnePerCropInOrder() {
    var reply = readPlates(worker(new CropDetector(null)), List.of(new byte[5], new byte[0], new byte[9]));
    var read = assertInstanceOf(InferenceWorker.PlatesRead.class, reply);
    assertEquals(List.of(Optional.of(new Plate("ABC1234", 0.5)), Optional.empty(), Optional.of(new Plate("ABC1234", 0.9))),
        read.plates());
  }

  @Test
  void theCommandAndItsReplySurviveTheirSerializer() {
    // As between nodes (CBOR): plates by position, an empty entry where none was read.
    var read = new InferenceWorker.PlatesRead(List.of(Optional.of(new Plate("BRA2E19", 0.93)), Optional.empty()));
    assertEquals(read, kit.serializationTestKit().verifySerialization(read, true));
    TestProbe<InferenceWorker.Reply> probe = kit.createTestProbe();
    var command = new InferenceWorker.ReadPlates(List.of(new byte[] {1, 2, 3}), probe.getRef());
    var back = kit.serializationTestKit().verifySerialization(command, false);
    assertArrayEquals(new byte[] {1, 2, 3}, back.crops().get(0));
    assertEquals(probe.getRef(), back.replyTo());
  }

  @Test
  void aCropThatIsNoImageIsInvalidInputAndAReaderFailureAnError() {
    var invalid = readPlates(worker(new CropDetector(new InvalidImageException("not an image"))), List.of(new byte[3]));
    assertEquals(InferenceWorker.FailureKind.INVALID_INPUT, assertInstanceOf(InferenceWorker.Failed.class, invalid).kind());
    var broken = readPlates(worker(new CropDetector(new IllegalStateException("plate OCR failed"))), List.of(new byte[3]));
    var failed = assertInstanceOf(InferenceWorker.Failed.class, broken);
    assertEquals(InferenceWorker.FailureKind.ERROR, failed.kind());
    assertTrue(failed.reason().contains("plate OCR failed"), failed.reason());
  }

  @Test
  void aWorkerThatIsNotReadyAnswersNotReady() {
    CompletableFuture<Detector> never = new CompletableFuture<>();
    ActorRef<InferenceWorker.Command> w = kit.spawn(
        InferenceWorker.create("gpu", never::get, Duration.ofSeconds(10), Duration.ofSeconds(60)));
    var reply = readPlates(w, List.of(new byte[3]));
    assertEquals(InferenceWorker.FailureKind.NOT_READY, assertInstanceOf(InferenceWorker.Failed.class, reply).kind());
    never.complete(new CropDetector(null));
  }
}
