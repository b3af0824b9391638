package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Router and workers in an ActorTestKit, with detectors the test controls. */
class InferenceRouterTest {
  static final byte[] JPEG = SharedData.imageBytes("dog.jpg");

  ActorTestKit kit;
  SimpleMeterRegistry registry;
  AtomicReference<HealthSnapshot> health;
  AtomicLong clock; // nanoseconds, moved by the test for the breaker's reset timeout

  @BeforeEach
  void start() {
    kit = ActorTestKit.create(ConfigFactory.parseString("pekko.loglevel = INFO"));
    registry = new SimpleMeterRegistry();
    health = new AtomicReference<>();
    clock = new AtomicLong(1_000_000_000L);
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  ActorRef<InferenceRouter.Command> router(InferenceRouter.Mode mode, int maxFailures, Duration fallbackTimeout) {
    var settings = new InferenceRouter.Settings(
        mode, fallbackTimeout, fallbackTimeout.multipliedBy(4), Duration.ofSeconds(5), maxFailures, Duration.ofSeconds(60), 50_000_000L, Duration.ofSeconds(2), 64);
    return kit.spawn(InferenceRouter.create(settings, registry, health, clock::get));
  }

  void worker(String name, ScriptedDetector d, AtomicInteger created) {
    kit.spawn(
        InferenceWorker.create(d.provider, () -> {
          created.incrementAndGet();
          return d;
        }, Duration.ofSeconds(10), Duration.ofSeconds(60)),
        name);
  }

  void worker(String name, ScriptedDetector d) {
    worker(name, d, new AtomicInteger());
  }

  /** Waits until the router sees its workers as wanted. */
  void awaitHealth(Predicate<HealthSnapshot> ok) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      HealthSnapshot h = health.get();
      if (h != null && ok.test(h)) return;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    }
    throw new AssertionError("health never became as expected: " + health.get());
  }

  static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("never happened: " + what);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    }
  }

  static Predicate<HealthSnapshot> ready(String provider, int n) {
    return h -> h.workers().stream().filter(w -> w.provider().equals(provider) && w.state() == WorkerStatus.State.READY).count() == n;
  }

  InferenceRouter.Reply ask(ActorRef<InferenceRouter.Command> router, byte[] image, Duration within) {
    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    router.tell(new InferenceRouter.Detect(List.of(image), DetectOptions.DEFAULT, Optional.of("cam-1"), probe.ref()));
    InferenceRouter.Reply r = probe.receiveMessage(within);
    probe.expectNoMessage(Duration.ofMillis(50)); // exactly one reply
    return r;
  }

  double breakerGauge(String provider) {
    return registry.get("gtv.inference.breaker.state").tag("provider", provider).gauge().value();
  }

  @Test
  void failingGpuFallsBackToAws() {
    ScriptedDetector gpu = new ScriptedDetector("gpu", n -> ScriptedDetector.fail());
    ScriptedDetector aws = new ScriptedDetector("aws", n -> ScriptedDetector.ok("aws"));
    worker("gpu", gpu);
    worker("aws", aws);
    var router = router(InferenceRouter.Mode.HYBRID, 5, Duration.ofSeconds(5));
    awaitHealth(ready("gpu", 1).and(ready("aws", 1)));

    var r = assertInstanceOf(InferenceRouter.Detected.class, ask(router, JPEG, Duration.ofSeconds(5)));
    assertEquals("aws", r.provider());
    assertTrue(r.fallback());
    assertEquals(1, gpu.calls.get());
    assertEquals(1.0, registry.get("gtv.inference.fallbacks").tag("reason", "failure").counter().count());
  }

  @Test
  void slowGpuFallsBackWithinTheTimeout() {
    ScriptedDetector gpu = new ScriptedDetector("gpu", n -> null);
    gpu.script = n -> gpu.hold();
    ScriptedDetector aws = new ScriptedDetector("aws", n -> ScriptedDetector.ok("aws"));
    worker("gpu", gpu);
    worker("aws", aws);
    var router = router(InferenceRouter.Mode.HYBRID, 5, Duration.ofMillis(300));
    awaitHealth(ready("gpu", 1).and(ready("aws", 1)));

    long t0 = System.nanoTime();
    var r = assertInstanceOf(InferenceRouter.Detected.class, ask(router, JPEG, Duration.ofSeconds(3)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals("aws", r.provider());
    assertTrue(ms >= 300 && ms < 2000, "answered after " + ms + " ms");
    // The GPU answer that comes late is dropped, not sent as a second reply.
    gpu.held.get(0).complete(List.of(ScriptedDetector.result("gpu")));
    assertEquals(1.0, registry.get("gtv.inference.fallbacks").tag("reason", "timeout").counter().count());
  }

  @Test
  void breakerOpensAfterConsecutiveFailuresThenHalfOpensAndGpuResumes() {
    AtomicInteger healthy = new AtomicInteger(0);
    ScriptedDetector gpu = new ScriptedDetector("gpu", n -> healthy.get() == 1 ? ScriptedDetector.ok("gpu") : ScriptedDetector.fail());
    ScriptedDetector aws = new ScriptedDetector("aws", n -> ScriptedDetector.ok("aws"));
    worker("gpu", gpu);
    worker("aws", aws);
    var router = router(InferenceRouter.Mode.HYBRID, 3, Duration.ofSeconds(5));
    awaitHealth(ready("gpu", 1).and(ready("aws", 1)));

    for (int i = 0; i < 3; i++) assertEquals("aws", ((InferenceRouter.Detected) ask(router, JPEG, Duration.ofSeconds(5))).provider());
    assertEquals(3, gpu.calls.get());
    assertEquals(2.0, breakerGauge("gpu")); // open
    // Open: the GPU worker is not even tried.
    assertEquals("aws", ((InferenceRouter.Detected) ask(router, JPEG, Duration.ofSeconds(5))).provider());
    assertEquals(3, gpu.calls.get());
    assertEquals(1.0, registry.get("gtv.inference.fallbacks").tag("reason", "breaker-open").counter().count());

    clock.addAndGet(Duration.ofSeconds(60).toNanos());
    assertEquals(1.0, breakerGauge("gpu")); // half-open
    healthy.set(1);
    var r = (InferenceRouter.Detected) ask(router, JPEG, Duration.ofSeconds(5));
    assertEquals("gpu", r.provider());
    assertEquals(false, r.fallback());
    assertEquals(0.0, breakerGauge("gpu")); // closed again
    assertEquals("gpu", ((InferenceRouter.Detected) ask(router, JPEG, Duration.ofSeconds(5))).provider());
  }

  @Test
  void failedTrialReopensTheBreaker() {
    ScriptedDetector gpu = new ScriptedDetector("gpu", n -> ScriptedDetector.fail());
    ScriptedDetector aws = new ScriptedDetector("aws", n -> ScriptedDetector.ok("aws"));
    worker("gpu", gpu);
    worker("aws", aws);
    var router = router(InferenceRouter.Mode.HYBRID, 2, Duration.ofSeconds(5));
    awaitHealth(ready("gpu", 1).and(ready("aws", 1)));
    ask(router, JPEG, Duration.ofSeconds(5));
    ask(router, JPEG, Duration.ofSeconds(5));
    assertEquals(2.0, breakerGauge("gpu"));
    clock.addAndGet(Duration.ofSeconds(61).toNanos());
    ask(router, JPEG, Duration.ofSeconds(5)); // the trial, fails
    assertEquals(3, gpu.calls.get());
    assertEquals(2.0, breakerGauge("gpu"));
    ask(router, JPEG, Duration.ofSeconds(5));
    assertEquals(3, gpu.calls.get());
  }

  /** The router counts a request in flight when it sends it; the worker calls its detector a moment later. */
  private static void awaitCalls(ScriptedDetector a, ScriptedDetector b, int total) {
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (a.calls.get() + b.calls.get() < total && System.nanoTime() < deadline) Thread.onSpinWait();
  }

  @Test
  void leastLoadedGpuWorkerIsChosen() {
    ScriptedDetector a = new ScriptedDetector("gpu", n -> null);
    a.script = n -> a.hold();
    ScriptedDetector b = new ScriptedDetector("gpu", n -> null);
    b.script = n -> b.hold();
    worker("gpu-a", a);
    worker("gpu-b", b);
    var router = router(InferenceRouter.Mode.GPU, 5, Duration.ofSeconds(5));
    awaitHealth(ready("gpu", 2));

    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    for (int i = 0; i < 4; i++) {
      router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.empty(), probe.ref()));
    }
    awaitHealth(h -> h.workers().stream().mapToInt(HealthSnapshot.Worker::inFlight).sum() == 4);
    awaitCalls(a, b, 4);
    assertEquals(2, a.calls.get() + 0, "a: " + a.calls + " b: " + b.calls);
    assertEquals(2, b.calls.get());
    // a finishes its two; the next two requests both go to a, now the less loaded.
    a.held.forEach(f -> f.complete(List.of(ScriptedDetector.result("gpu"))));
    probe.receiveMessage(Duration.ofSeconds(3));
    probe.receiveMessage(Duration.ofSeconds(3));
    router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.empty(), probe.ref()));
    router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.empty(), probe.ref()));
    awaitHealth(h -> h.workers().stream().mapToInt(HealthSnapshot.Worker::inFlight).sum() == 4);
    awaitCalls(a, b, 6);
    assertEquals(4, a.calls.get());
    assertEquals(2, b.calls.get());
  }

  @Test
  void crashingWorkerIsRestartedAndNoRequestIsLostOrAnsweredTwice() {
    AtomicInteger created = new AtomicInteger();
    ScriptedDetector gpu = new ScriptedDetector("gpu", n -> {
      if (n == 0) throw new IllegalStateException("native crash");
      return ScriptedDetector.ok("gpu");
    });
    ScriptedDetector aws = new ScriptedDetector("aws", n -> ScriptedDetector.ok("aws"));
    worker("gpu", gpu, created);
    worker("aws", aws);
    var router = router(InferenceRouter.Mode.HYBRID, 5, Duration.ofSeconds(5));
    awaitHealth(ready("gpu", 1).and(ready("aws", 1)));

    var first = (InferenceRouter.Detected) ask(router, JPEG, Duration.ofSeconds(5)); // crash: answered by AWS
    assertEquals("aws", first.provider());
    // Restarted with backoff (1 s), a fresh detector, ready again: the GPU path resumes.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (created.get() < 2 && System.nanoTime() < deadline) Thread.onSpinWait();
    assertEquals(2, created.get());
    assertTrue(gpu.closed, "the crashed incarnation's detector is closed");
    awaitHealth(ready("gpu", 1));
    // The router may still see the old incarnation's READY while the new one loads (a request then
    // falls back to AWS, still answered once): the GPU path must resume within the backoff window.
    String provider = "aws";
    long resumeBy = System.nanoTime() + 10_000_000_000L;
    while (!provider.equals("gpu") && System.nanoTime() < resumeBy) {
      provider = ((InferenceRouter.Detected) ask(router, JPEG, Duration.ofSeconds(5))).provider();
    }
    assertEquals("gpu", provider);
  }

  @Test
  void modelThatFailsToLoadIsReportedAndNotRetriedInALoop() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    AtomicLong firstAttempt = new AtomicLong();
    AtomicLong secondAttempt = new AtomicLong();
    kit.spawn(InferenceWorker.create("gpu", () -> {
      (attempts.incrementAndGet() == 1 ? firstAttempt : secondAttempt).compareAndSet(0, System.nanoTime());
      throw new ModelLoadException("model file not found: /models/missing.onnx");
    }, Duration.ofSeconds(1), Duration.ofSeconds(60)), "gpu");
    ScriptedDetector aws = new ScriptedDetector("aws", n -> ScriptedDetector.ok("aws"));
    worker("aws", aws);
    var router = router(InferenceRouter.Mode.HYBRID, 5, Duration.ofSeconds(5));
    awaitHealth(h -> h.workers().stream().anyMatch(w -> w.state() == WorkerStatus.State.FAILED) && ready("aws", 1).test(h));

    HealthSnapshot h = health.get();
    HealthSnapshot.Worker w = h.workers().stream().filter(x -> x.provider().equals("gpu")).findFirst().orElseThrow();
    assertTrue(w.detail().contains("missing.onnx") && w.detail().contains("next attempt in 1 s"), w.detail());
    assertEquals("DEGRADED", h.providers().get("gpu"));
    assertEquals("UP", h.providers().get("aws"));
    assertEquals("aws", ((InferenceRouter.Detected) ask(router, JPEG, Duration.ofSeconds(5))).provider());
    // Retried after the delay, then after twice the delay: not in a loop.
    awaitTrue(() -> attempts.get() >= 2, "a second attempt");
    long gapMs = (secondAttempt.get() - firstAttempt.get()) / 1_000_000;
    assertTrue(gapMs >= 900, "second attempt after " + gapMs + " ms");
    assertEquals(2, attempts.get(), "the next attempt is 2 s later, not now");
  }

  @Test
  void gpuModeWithoutWorkerIsUnavailableAndBadInputIsRejected() {
    var router = router(InferenceRouter.Mode.GPU, 5, Duration.ofSeconds(5));
    var u = assertInstanceOf(InferenceRouter.Unavailable.class, ask(router, JPEG, Duration.ofSeconds(3)));
    assertTrue(u.reason().contains("no usable gpu worker"), u.reason());
    var r = assertInstanceOf(InferenceRouter.Rejected.class, ask(router, "hello".repeat(10).getBytes(), Duration.ofSeconds(3)));
    assertTrue(r.reason().startsWith("not an image"), r.reason());
    var bomb = assertInstanceOf(InferenceRouter.Rejected.class, ask(router, ImageHeaderTest.pngHeader(100_000, 100_000), Duration.ofSeconds(3)));
    assertTrue(bomb.reason().contains("100000x100000"), bomb.reason());
  }

  @Test
  void persistentAwsServerErrorsOpenTheAwsBreaker() throws Exception {
    try (FakeRekognition server = new FakeRekognition()) {
      server.on("DetectLabels", n -> FakeRekognition.Reply.error(500, "InternalServerError"));
      kit.spawn(InferenceWorker.create("aws", () -> RekognitionDetector.create(
          RekognitionDetectorTest.settings(server.endpoint(), 100, 50),
          Optional.of(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"))),
          registry, Clock.systemUTC()), Duration.ofSeconds(10), Duration.ofSeconds(60)), "aws");
      ScriptedDetector gpu = new ScriptedDetector("gpu", n -> ScriptedDetector.fail());
      worker("gpu", gpu);
      var router = router(InferenceRouter.Mode.HYBRID, 2, Duration.ofSeconds(5));
      awaitHealth(ready("gpu", 1).and(ready("aws", 1)));

      for (int i = 0; i < 2; i++) {
        var u = assertInstanceOf(InferenceRouter.Unavailable.class, ask(router, JPEG, Duration.ofSeconds(10)));
        assertTrue(u.reason().contains("Status Code: 500"), u.reason());
      }
      assertEquals(8, server.count("DetectLabels")); // 2 requests x (1 + 3 retries)
      assertEquals(2.0, breakerGauge("aws"));
      assertEquals(2.0, breakerGauge("gpu"));
      var u = assertInstanceOf(InferenceRouter.Unavailable.class, ask(router, JPEG, Duration.ofSeconds(5)));
      assertTrue(u.reason().contains("no usable AWS worker"), u.reason());
      assertEquals(8, server.count("DetectLabels"));
    }
  }
}
