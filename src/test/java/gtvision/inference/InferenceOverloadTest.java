package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a detector slower than the frames offered by many cameras stays busy, its breaker stays
 * closed, every camera gets its share, and frames that waited too long are skipped, not analysed.
 */
class InferenceOverloadTest {
  static final byte[] JPEG = SharedData.imageBytes("dog.jpg");
  static final Duration MAX_AGE = Duration.ofMillis(200);
  static final Duration BATCH_TIME = Duration.ofMillis(20);
  static final int BATCH = 4;

  ActorTestKit kit;
  SimpleMeterRegistry registry;
  AtomicReference<HealthSnapshot> health;
  ScheduledExecutorService cameras;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create(ConfigFactory.parseString("pekko.loglevel = INFO"));
    registry = new SimpleMeterRegistry();
    health = new AtomicReference<>();
    cameras = Executors.newScheduledThreadPool(2);
  }

  @AfterEach
  void stop() {
    cameras.shutdownNow();
    kit.shutdownTestKit();
  }

  ActorRef<InferenceRouter.Command> router(InferenceRouter.Mode mode) {
    return router(mode, MAX_AGE);
  }

  ActorRef<InferenceRouter.Command> router(InferenceRouter.Mode mode, Duration maxAge) {
    return router(mode, maxAge, Duration.ofSeconds(5));
  }

  ActorRef<InferenceRouter.Command> router(InferenceRouter.Mode mode, Duration maxAge, Duration fallbackTimeout) {
    return router(mode, maxAge, fallbackTimeout, fallbackTimeout.multipliedBy(4));
  }

  ActorRef<InferenceRouter.Command> router(
      InferenceRouter.Mode mode, Duration maxAge, Duration fallbackTimeout, Duration hangTimeout) {
    var settings = new InferenceRouter.Settings(
        mode, fallbackTimeout, hangTimeout, Duration.ofSeconds(5), 5, Duration.ofSeconds(60), 50_000_000L, maxAge, 64);
    return kit.spawn(InferenceRouter.create(settings, registry, health));
  }

  void worker(String name, Detector d) {
    kit.spawn(InferenceWorker.create(d.provider(), () -> d, Duration.ofSeconds(10), Duration.ofSeconds(60)), name);
  }

  void awaitHealth(Predicate<HealthSnapshot> ok) {
    InferenceRouterTest.awaitTrue(() -> health.get() != null && ok.test(health.get()), "health as expected: " + health.get());
  }

  /** What many cameras saw in one run. */
  record Run(double detectorFps, Map<String, Integer> analysed, Map<String, Integer> busy, int other, boolean breakerOpened) {
    int totalBusy() {
      return busy.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Drives {@code n} cameras like camera streams do (one frame in flight per camera, the next one a
   * period after the previous was sent, or at once if the answer came later) for {@code run}, and
   * measures the frames the detector analysed per second after a warm-up.
   */
  Run drive(ActorRef<InferenceRouter.Command> router, FixedTimeDetector detector, int n, Duration period, Duration run)
      throws InterruptedException {
    return drive(List.of(router), detector, n, period, run);
  }

  /** As above, camera i sending to {@code routers.get(i % size)}, as the cameras of several nodes do. */
  Run drive(List<ActorRef<InferenceRouter.Command>> routers, FixedTimeDetector detector, int n, Duration period,
      Duration run) throws InterruptedException {
    Map<String, Integer> analysed = new ConcurrentHashMap<>();
    Map<String, Integer> busy = new ConcurrentHashMap<>();
    AtomicInteger other = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicBoolean breakerOpened = new AtomicBoolean();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String camera = "cam-" + i;
      analysed.put(camera, 0);
      CompletableFuture<Void> finished = new CompletableFuture<>();
      done.add(finished);
      ActorRef<InferenceRouter.Command> router = routers.get(i % routers.size());
      cameras.execute(() -> frame(router, detector, camera, period, running, analysed, busy, other, finished));
    }
    cameras.scheduleAtFixedRate(() -> {
      HealthSnapshot h = health.get();
      if (h.workers().stream().anyMatch(w -> !w.breaker().equals("CLOSED"))) breakerOpened.set(true);
    }, 0, 20, TimeUnit.MILLISECONDS);
    Duration warmUp = Duration.ofMillis(300);
    Thread.sleep(warmUp.toMillis()); // the run's length, not a wait for something
    int before = detector.frames.get();
    long t0 = System.nanoTime();
    Thread.sleep(run.minus(warmUp).toMillis());
    double fps = (detector.frames.get() - before) / ((System.nanoTime() - t0) / 1e9);
    running.set(false);
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
    return new Run(fps, Map.copyOf(analysed), Map.copyOf(busy), other.get(), breakerOpened.get());
  }

  private void frame(
      ActorRef<InferenceRouter.Command> router, FixedTimeDetector detector, String camera, Duration period,
      AtomicBoolean running, Map<String, Integer> analysed, Map<String, Integer> busy, AtomicInteger other,
      CompletableFuture<Void> finished) {
    if (!running.get()) {
      finished.complete(null);
      return;
    }
    long sentAt = System.nanoTime();
    byte[] frame = detector.sent(JPEG);
    AskPattern.<InferenceRouter.Command, InferenceRouter.Reply>ask(
            router,
            replyTo -> new InferenceRouter.Detect(
                List.of(frame), DetectOptions.DEFAULT, Optional.of(camera), Optional.of(Instant.now()), replyTo),
            Duration.ofSeconds(10),
            kit.scheduler())
        .whenComplete((reply, error) -> {
          if (reply instanceof InferenceRouter.Detected) {
            analysed.merge(camera, 1, Integer::sum);
          } else if (reply instanceof InferenceRouter.Busy b) {
            busy.merge(b.reason().startsWith("frame older than") ? "too-old" : "other", 1, Integer::sum);
          } else {
            other.incrementAndGet();
          }
          long next = Math.max(0, period.toNanos() - (System.nanoTime() - sentAt));
          cameras.schedule(
              () -> frame(router, detector, camera, period, running, analysed, busy, other, finished),
              next, TimeUnit.NANOSECONDS);
        });
  }

  @Test
  void slowDetectorUnderThreeTimesOverloadStaysBusyFairAndFreshWithoutOpeningItsBreaker() throws Exception {
    FixedTimeDetector detector = new FixedTimeDetector(BATCH, BATCH_TIME);
    worker("gpu", detector);
    var router = router(InferenceRouter.Mode.GPU);
    awaitHealth(h -> h.workers().size() == 1 && h.workers().get(0).capacity() == BATCH * 2);

    // Fed exactly at capacity: as many cameras as the worker admits, each sending again at once.
    Run atCapacity = drive(router, detector, BATCH * 2, Duration.ZERO, Duration.ofMillis(1300));
    assertEquals(0, atCapacity.totalBusy(), "at capacity nothing waits long enough to be skipped");

    // Three times what it can do: 3 x capacity frames/s from many cameras.
    int n = 60;
    Duration period = Duration.ofNanos((long) (n * 1e9 / (3 * atCapacity.detectorFps())));
    long oldestBefore = detector.oldestAnalysedNanos.getAndSet(0);
    Run overload = drive(router, detector, n, period, Duration.ofMillis(2000));
    double ratio = overload.detectorFps() / atCapacity.detectorFps();
    System.out.printf(
        "overload: detector at capacity %.1f frames/s, under 3x overload (%d cameras every %d ms) %.1f frames/s, ratio %.3f;"
            + " skipped too old %d, oldest analysed %d ms (max age %d ms)%n",
        atCapacity.detectorFps(), n, period.toMillis(), overload.detectorFps(), ratio, overload.totalBusy(),
        detector.oldestAnalysedNanos.get() / 1_000_000, MAX_AGE.toMillis());

    assertTrue(ratio >= 0.9, "throughput under overload " + ratio + " of that at capacity");
    assertTrue(!overload.breakerOpened() && !atCapacity.breakerOpened(), "a busy detector is not broken");
    assertEquals(0, overload.other(), "no frame failed or was unavailable");
    assertTrue(overload.busy().getOrDefault("too-old", 0) > 0, "frames that waited too long are skipped: " + overload.busy());
    assertEquals(
        (double) overload.totalBusy(),
        registry.get("gtv.inference.skipped").tag("reason", "too-old").counter().count());
    int min = overload.analysed().values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    double mean = overload.analysed().values().stream().mapToInt(Integer::intValue).average().orElseThrow();
    assertTrue(min >= mean / 3, "every camera gets its share: min " + min + ", mean " + mean);
    // Admitted at most MAX_AGE old, then at most two batches in the worker (plus scheduling).
    long oldestMs = Math.max(oldestBefore, detector.oldestAnalysedNanos.get()) / 1_000_000;
    assertTrue(oldestMs <= MAX_AGE.toMillis() + 2 * BATCH_TIME.toMillis() + 60, "oldest frame analysed " + oldestMs + " ms");
    HealthSnapshot h = health.get();
    assertTrue(h.workers().get(0).utilisation() > 0.9, "utilisation in /health: " + h.workers().get(0));
    assertTrue(registry.get("gtv.inference.worker.busy").functionCounter().count() > 1.0);
    assertTrue(registry.get("gtv.inference.queue.wait").tag("provider", "gpu").timer().count() > 0);
  }

  @Test
  void workerSharedByFourRoutersDropsFramesThatExpireInItsQueueAndStaysBusy() throws Exception {
    // Each router (one per camera node) admits up to the worker's capacity, so the worker's queue holds
    // four times that: 32 frames, 400 ms of work, twice the maximum age. Frames admitted young would be
    // analysed long after they are stale; the worker drops those instead and works on frames in time.
    Duration batchTime = Duration.ofMillis(50);
    FixedTimeDetector detector = new FixedTimeDetector(BATCH, batchTime);
    worker("gpu", detector);
    List<ActorRef<InferenceRouter.Command>> routers = new ArrayList<>();
    for (int i = 0; i < 4; i++) routers.add(router(InferenceRouter.Mode.GPU));
    awaitHealth(h -> h.workers().size() == 1 && h.workers().get(0).capacity() == BATCH * 2);
    Run atCapacity = drive(routers.get(0), detector, BATCH * 2, Duration.ZERO, Duration.ofMillis(3000));

    detector.oldestAnalysedNanos.set(0);
    detector.batchSizes.clear();
    Run shared = drive(routers, detector, 64, Duration.ofMillis(100), Duration.ofMillis(4000));
    double ratio = shared.detectorFps() / atCapacity.detectorFps();
    long oldestMs = detector.oldestAnalysedNanos.get() / 1_000_000;
    double expired = registry.get("gtv.inference.skipped").tag("reason", "too-old").counter().count();
    System.out.printf("four routers, one worker: %.1f frames/s (alone at capacity %.1f), ratio %.3f; oldest analysed %d ms"
            + " (max age %d ms); skipped too old %.0f%n",
        shared.detectorFps(), atCapacity.detectorFps(), ratio, oldestMs, MAX_AGE.toMillis(), expired);
    System.out.println("batch sizes " + detector.batchSizes);

    assertTrue(oldestMs <= MAX_AGE.toMillis() + 2 * batchTime.toMillis() + 60,
        "a frame was analysed " + oldestMs + " ms after capture (max age " + MAX_AGE.toMillis() + " ms)");
    // What this test holds is the age bound above. The shared worker stays busy but not fully: when the
    // frames queued from four routers expire together, the batcher waits for the routers to admit younger
    // ones (0.82-1.00 of the worker fed at capacity measured). The single-router test holds the 0.9.
    assertTrue(ratio >= 0.75, "throughput with a shared queue " + ratio + " of that at capacity");
    assertTrue(!shared.breakerOpened(), "a busy detector is not broken");
    assertEquals(0, shared.other(), "no frame failed or was unavailable");
    assertTrue(expired > 0, "frames that expired in the worker's queue are skipped as too old");
    assertEquals(0.0, registry.get("gtv.inference.skipped").tag("reason", "slow").counter().count(),
        "no frame waited out the fallback timeout");
  }

  @Test
  void workerThatStopsAnsweringKeepsItsSlotsUntilTheHangTimeoutThenItsBreakerOpens() {
    // A cold start, a starved CPU or a hung model: until the hang timeout nobody can tell them apart.
    // The frames are answered after the fallback timeout (skipped, never failed), the worker is given
    // nothing beyond its capacity meanwhile, and only a worker silent for the hang timeout is broken.
    ScriptedDetector hung = new ScriptedDetector("gpu", i -> new CompletableFuture<>());
    hung.capacity = 8;
    worker("gpu", hung);
    var router = router(InferenceRouter.Mode.GPU, Duration.ofSeconds(10), Duration.ofMillis(300), Duration.ofMillis(1500));
    awaitHealth(InferenceRouterTest.ready("gpu", 1));
    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    for (int i = 0; i < 8; i++) {
      router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.of("cam-" + i), probe.ref()));
    }
    List<InferenceRouter.Reply> replies = probe.receiveSeveralMessages(8, Duration.ofSeconds(1));
    assertTrue(replies.stream().allMatch(r -> r instanceof InferenceRouter.Busy b && b.reason().contains("in time")),
        replies.toString());
    assertEquals(8.0, registry.get("gtv.inference.skipped").tag("reason", "slow").counter().count());
    assertEquals("CLOSED", health.get().workers().get(0).breaker(), "waiting is not a failure");
    assertEquals(8, health.get().workers().get(0).inFlight(), "the worker still has them");

    // The worker's slots are still taken: a ninth frame waits in the router instead of piling up there.
    router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.of("cam-8"), probe.ref()));
    // Then the hang timeout: the breaker opens and the waiting frame is answered as unavailable.
    var u = assertInstanceOf(InferenceRouter.Unavailable.class, probe.receiveMessage(Duration.ofSeconds(3)));
    assertTrue(u.reason().contains("breaker OPEN"), u.reason());
    assertEquals(8, hung.calls.get(), "nothing beyond its capacity reached the worker");
    awaitHealth(h -> h.workers().get(0).breaker().equals("OPEN"));
  }

  @Test
  void workerSlowerThanTheFallbackTimeoutHasFramesSkippedNeverMoreThanItsCapacityAndNoBreakerOpens() throws Exception {
    // Each batch takes longer than the fallback timeout, yet the worker answers: it is slow, not broken.
    FixedTimeDetector slow = new FixedTimeDetector(1, Duration.ofMillis(250));
    worker("gpu", slow);
    var router = router(InferenceRouter.Mode.GPU, Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(3));
    awaitHealth(h -> h.workers().size() == 1 && h.workers().get(0).capacity() == 2);
    AtomicInteger maxInFlight = new AtomicInteger();
    var watch = cameras.scheduleAtFixedRate(
        () -> maxInFlight.accumulateAndGet(health.get().workers().get(0).inFlight(), Math::max), 0, 10, TimeUnit.MILLISECONDS);
    Run run = drive(router, slow, 6, Duration.ZERO, Duration.ofMillis(2500));
    watch.cancel(false);

    assertTrue(!run.breakerOpened(), "a slow detector is not broken");
    assertEquals(0, run.other(), "no frame failed");
    assertTrue(run.totalBusy() > 0, "late frames are skipped: " + run);
    assertTrue(registry.get("gtv.inference.skipped").tag("reason", "slow").counter().count() > 0);
    assertTrue(maxInFlight.get() <= 2, "the worker never had more than its capacity: " + maxInFlight.get());
    // It works at its own pace throughout: about 4 batches a second.
    assertTrue(run.detectorFps() > 2.5, "detector " + run.detectorFps() + " frames/s");
  }

  @Test
  void frameAgeCountsFromCaptureNotFromArrival() {
    ScriptedDetector gpu = new ScriptedDetector("gpu", i -> ScriptedDetector.ok("gpu"));
    worker("gpu", gpu);
    var router = router(InferenceRouter.Mode.GPU, Duration.ofSeconds(2));
    awaitHealth(InferenceRouterTest.ready("gpu", 1));
    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    // Taken 3 s ago (a slow motion gate, a stalled encoder): too old for a 2 s maximum on arrival.
    router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.of("cam-old"),
        Optional.of(Instant.now().minusSeconds(3)), probe.ref()));
    var busy = assertInstanceOf(InferenceRouter.Busy.class, probe.receiveMessage(Duration.ofSeconds(3)));
    assertTrue(busy.reason().contains("max-frame-age"), busy.reason());
    assertEquals(0, gpu.calls.get(), "never analysed");
    router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.of("cam-new"),
        Optional.of(Instant.now().minusMillis(500)), probe.ref()));
    assertInstanceOf(InferenceRouter.Detected.class, probe.receiveMessage(Duration.ofSeconds(3)));
  }

  @Test
  void detectorThatReallyFailsStillOpensItsBreakerUnderLoad() throws Exception {
    ScriptedDetector gpu = new ScriptedDetector("gpu", i -> ScriptedDetector.fail());
    gpu.capacity = 1; // one at a time, so that exactly the breaker's five failures reach it
    worker("gpu", gpu);
    var router = router(InferenceRouter.Mode.GPU, Duration.ofSeconds(10));
    awaitHealth(InferenceRouterTest.ready("gpu", 1));
    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    for (int i = 0; i < 20; i++) {
      router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.of("cam-" + i), probe.ref()));
    }
    List<InferenceRouter.Reply> replies = probe.receiveSeveralMessages(20, Duration.ofSeconds(5));
    // Failed, or (once the breaker is open) unavailable: never analysed, never merely "busy" for a broken detector.
    assertTrue(replies.stream().allMatch(r -> r instanceof InferenceRouter.Unavailable), replies.toString());
    assertTrue(replies.stream().anyMatch(r -> ((InferenceRouter.Unavailable) r).reason().contains("breaker OPEN")), replies.toString());
    assertEquals(5, gpu.calls.get(), "the breaker opened after five errors and nothing more was sent");
    assertEquals(2.0, registry.get("gtv.inference.breaker.state").gauge().value());
  }

  @Test
  void inHybridModeWhatTheGpuCannotTakeOverflowsToAwsAndWaitsWhenAwsBudgetIsSpent() {
    ScriptedDetector gpu = new ScriptedDetector("gpu", i -> null);
    gpu.script = i -> gpu.hold();
    gpu.capacity = 2;
    AtomicInteger budget = new AtomicInteger(2);
    ScriptedDetector aws = new ScriptedDetector("aws", i -> budget.getAndDecrement() > 0
        ? ScriptedDetector.ok("aws")
        : CompletableFuture.failedFuture(new BudgetExhaustedException("AWS budget of 0.002 USD per day is spent")));
    worker("gpu", gpu);
    worker("aws", aws);
    var router = router(InferenceRouter.Mode.HYBRID);
    awaitHealth(InferenceRouterTest.ready("gpu", 1).and(InferenceRouterTest.ready("aws", 1)));

    TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
    for (int i = 0; i < 5; i++) {
      router.tell(new InferenceRouter.Detect(List.of(JPEG), DetectOptions.DEFAULT, Optional.of("cam-" + i), probe.ref()));
    }
    // Two admitted to the GPU (its capacity), two overflow to AWS, the fifth is refused by the budget
    // and waits for the GPU instead of failing.
    for (int i = 0; i < 2; i++) {
      var d = assertInstanceOf(InferenceRouter.Detected.class, probe.receiveMessage(Duration.ofSeconds(3)));
      assertEquals("aws", d.provider());
      assertTrue(d.fallback());
    }
    InferenceRouterTest.awaitTrue(() -> aws.calls.get() == 3, "the budget refusal");
    probe.expectNoMessage(Duration.ofMillis(50));
    assertEquals(2, gpu.calls.get());
    assertEquals(3.0, registry.get("gtv.inference.fallbacks").tag("reason", "overflow").counter().count());
    gpu.held.get(0).complete(List.of(ScriptedDetector.result("gpu")));
    assertEquals("gpu", ((InferenceRouter.Detected) probe.receiveMessage(Duration.ofSeconds(3))).provider());
    // calls counts on entry, held on the detector's thread a moment later: wait for the frame itself.
    InferenceRouterTest.awaitTrue(() -> gpu.calls.get() == 3 && gpu.held.size() == 3, "the refused frame admitted to the GPU");
    gpu.held.get(2).complete(List.of(ScriptedDetector.result("gpu")));
    var last = assertInstanceOf(InferenceRouter.Detected.class, probe.receiveMessage(Duration.ofSeconds(3)));
    assertEquals("gpu", last.provider());
  }
}
