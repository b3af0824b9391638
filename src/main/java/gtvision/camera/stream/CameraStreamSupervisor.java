package gtvision.camera.stream;

import gtvision.SourceUrls;
import gtvision.camera.CameraConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.FrameSequence;
import gtvision.tracing.Tracing;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.slf4j.LoggerFactory;

/**
 * Child of an enabled camera's entity: runs the camera's stream and restarts it with exponential
 * backoff and jitter when it fails or ends. Tells the entity about connections, the first frame, losses
 * (which it persists) and periodic stats (which it keeps in memory and persists at a low rate).
 * Stopping this actor (disable, remove, passivation, the node leaving) stops the stream. Every run
 * numbers its frames from the same {@link FrameSequence}, so a reconnect never repeats a frame number.
 */
final class CameraStreamSupervisor extends AbstractBehavior<CameraStreamSupervisor.Message> {

  interface Message {}

  private record Connected(long run, String detail) implements Message {}

  private record FirstFrameSeen(long run, int width, int height, Instant at) implements Message {}

  private record Ended(long run, Optional<Throwable> error) implements Message {}

  private enum Restart implements Message { INSTANCE }

  private enum StatsTick implements Message { INSTANCE }

  private enum StallCheck implements Message { INSTANCE }

  /** {@code sequence} numbers the frames of every run; the entity persists the numbers it records. */
  static Behavior<Message> create(
      String cameraId, CameraConfig config, Streams ingest, FrameSequence sequence, ActorRef<CameraEntity.Command> entity) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new CameraStreamSupervisor(ctx, timers, cameraId, config, ingest, sequence, entity)));
  }

  private final TimerScheduler<Message> timers;
  private final String cameraId;
  private final CameraConfig config;
  private final Streams ingest;
  // Per camera, not per run: readers start afresh on every reconnect, their frame numbers must not.
  private final FrameSequence sequence;
  private final ActorRef<CameraEntity.Command> entity;
  private final StreamMetrics.CameraMeters meters;
  // Per camera, not per run: a rate limit that restarted with every reconnect would not limit much.
  private final FailureLog analyserFailures;
  private long run;
  private int attempt;
  private boolean lostBefore;
  // Lost and not connected since: reconnect attempts keep the stream "lost" in gtv_camera_streams.
  private boolean down;
  private UniqueKillSwitch killSwitch;
  private StreamProbe probe;
  private long reportedReceived;
  private long reportedAnalysed;
  private long reportedSkipped;
  private long reportedFailed;
  // System.nanoTime() of this run's connect (Long.MIN_VALUE: not connected): a stall counts from the
  // newer of it and the last frame.
  private long connectedNanos = Long.MIN_VALUE;
  private boolean stalled;
  private final Duration stalledAfter;
  // (nanoTime, frames received, frames analysed) samples of the last few seconds: keyframe-only decoding
  // counts frames in bursts of one GOP, so the rates are measured over a window longer than a GOP.
  private final java.util.ArrayDeque<long[]> rateSamples = new java.util.ArrayDeque<>();
  private static final long RATE_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

  private CameraStreamSupervisor(ActorContext<Message> ctx, TimerScheduler<Message> timers, String cameraId,
      CameraConfig config, Streams ingest, FrameSequence sequence, ActorRef<CameraEntity.Command> entity) {
    super(ctx);
    this.timers = timers;
    this.cameraId = cameraId;
    this.config = config;
    this.ingest = ingest;
    this.sequence = sequence;
    this.entity = entity;
    this.meters = ingest.metrics().camera(cameraId);
    this.analyserFailures = new FailureLog(LoggerFactory.getLogger(CameraStream.class),
        "Analyser failed on camera " + cameraId, ingest.settings().failureLogInterval(), System::nanoTime);
    this.stalledAfter = ingest.settings().stalledAfter(config.fps());
    timers.startTimerWithFixedDelay(StatsTick.INSTANCE, ingest.settings().statsInterval());
    timers.startTimerWithFixedDelay(StallCheck.INSTANCE, stallCheckInterval(stalledAfter));
    start();
  }

  private void start() {
    long thisRun = ++run;
    ActorRef<Message> self = getContext().getSelf();
    probe = new StreamProbe(meters,
        detail -> self.tell(new Connected(thisRun, detail)),
        frame -> self.tell(new FirstFrameSeen(thisRun, frame.width(), frame.height(), frame.capturedAt())));
    reportedReceived = 0;
    reportedAnalysed = 0;
    reportedSkipped = 0;
    reportedFailed = 0;
    connectedNanos = Long.MIN_VALUE;
    stalled = false;
    rateSamples.clear();
    rateSamples.add(new long[] {System.nanoTime(), 0, 0});
    // A reconnect attempt is not a recovery: were it "connecting", every attempt (up to a connect timeout
    // long) would break the run of "lost" samples that CameraStreamLost waits two minutes for.
    if (!down) ingest.metrics().streamState(cameraId, StreamMetrics.CONNECTING);
    try {
      Pair<UniqueKillSwitch, java.util.concurrent.CompletionStage<Done>> running = CameraStream.run(
          getContext().getSystem(), cameraId, config, ingest, sequence, probe, analyserFailures,
          found -> entity.tell(new CameraEntity.ReportFrameAnalysed(found.first().sequence(), found.first().capturedAt(),
              found.second().provider(), found.second().detections(), found.second().evidenceKey(),
              Tracing.traceParent(found.first().trace()))));
      killSwitch = running.first();
      running.second().whenComplete((done, error) -> self.tell(new Ended(thisRun, Optional.ofNullable(error))));
    } catch (RuntimeException e) {
      killSwitch = null;
      self.tell(new Ended(thisRun, Optional.of(e)));
    }
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Connected.class, this::onConnected)
        .onMessage(FirstFrameSeen.class, this::onFirstFrame)
        .onMessage(Ended.class, this::onEnded)
        .onMessageEquals(Restart.INSTANCE, this::onRestart)
        .onMessageEquals(StatsTick.INSTANCE, this::onStatsTick)
        .onMessageEquals(StallCheck.INSTANCE, this::onStallCheck)
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  private Behavior<Message> onConnected(Connected msg) {
    if (msg.run() != run) return this;
    ingest.metrics().streamState(cameraId, StreamMetrics.CONNECTED);
    down = false;
    if (lostBefore) meters.reconnects().increment();
    connectedNanos = System.nanoTime();
    entity.tell(new CameraEntity.ReportStreamConnected(msg.detail()));
    return this;
  }

  private Behavior<Message> onFirstFrame(FirstFrameSeen msg) {
    if (msg.run() != run) return this;
    // Backoff starts again from the minimum only once frames really flow, not on a bare connect.
    attempt = 0;
    entity.tell(new CameraEntity.ReportFirstFrame(msg.width(), msg.height(), msg.at()));
    return this;
  }

  private Behavior<Message> onEnded(Ended msg) {
    if (msg.run() != run) return this;
    reportStats();
    killSwitch = null;
    connectedNanos = Long.MIN_VALUE;
    lostBefore = true;
    down = true;
    String reason = msg.error().map(CameraStreamSupervisor::reason).orElse("stream ended");
    ingest.metrics().streamState(cameraId, StreamMetrics.LOST);
    entity.tell(new CameraEntity.ReportStreamLost(SourceUrls.mask(reason)));
    Duration delay = ingest.settings().backoff(attempt++, ThreadLocalRandom.current().nextDouble());
    getContext().getLog().info("Camera {} stream lost ({}), reconnecting in {} ms", cameraId, SourceUrls.mask(reason), delay.toMillis());
    timers.startSingleTimer(Restart.INSTANCE, delay);
    return this;
  }

  static String reason(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    if (cause instanceof BadFrameException) return cause.getMessage();
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  private Behavior<Message> onRestart() {
    start();
    return this;
  }

  private Behavior<Message> onStatsTick() {
    reportStats();
    return this;
  }

  /**
   * A connected run that has had no frame for {@code stalledAfter} is stalled (the entity shows it at
   * once); one still without a frame a read timeout later is ended and reconnected. Readers time out
   * reads on their own, but a source can keep a connection busy without ever completing a frame.
   */
  private Behavior<Message> onStallCheck() {
    if (killSwitch == null || connectedNanos == Long.MIN_VALUE) return this;
    long since = System.nanoTime() - Math.max(connectedNanos, probe.lastFrameNanos());
    if (!stalled && since >= stalledAfter.toNanos()) {
      stalled = true;
      ingest.metrics().streamState(cameraId, StreamMetrics.STALLED);
      getContext().getLog().info("Camera {} stream stalled: no frame for {} ms", cameraId, since / 1_000_000);
      reportStats();
    }
    if (since >= stalledAfter.plus(ingest.settings().readTimeout()).toNanos()) {
      killSwitch.abort(new BadFrameException("stalled: connected, but no frame for " + since / 1_000_000 + " ms"));
      killSwitch = null;
    }
    return this;
  }

  private static Duration stallCheckInterval(Duration stalledAfter) {
    Duration quarter = stalledAfter.dividedBy(4);
    return quarter.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : quarter;
  }

  private void reportStats() {
    long now = System.nanoTime();
    long received = probe.receivedCount();
    long analysed = probe.analysedCount();
    // Skipped for a busy detector: refused by the router, or replaced in the stream by a newer frame while
    // the previous one was being analysed. Either way seen, not analysed, and not the camera's fault.
    long skipped = probe.analysisSkippedCount() + probe.droppedCount();
    long failed = probe.analysisFailedCount();
    if (stalled && probe.lastFrameNanos() > connectedNanos
        && now - probe.lastFrameNanos() < stalledAfter.toNanos()) {
      stalled = false;
      ingest.metrics().streamState(cameraId, StreamMetrics.CONNECTED);
    }
    rateSamples.add(new long[] {now, received, analysed});
    // Keep the newest sample that is at least a window old as the start of the window.
    while (rateSamples.size() > 2) {
      var it = rateSamples.iterator();
      it.next();
      if (now - it.next()[0] < RATE_WINDOW_NANOS) break;
      rateSamples.pollFirst();
    }
    long[] oldest = rateSamples.peekFirst();
    double seconds = (now - oldest[0]) / 1e9;
    double fps = seconds > 0 ? (received - oldest[1]) / seconds : 0;
    double analysedFps = seconds > 0 ? (analysed - oldest[2]) / seconds : 0;
    String frameError = probe.takeUnreportedCorrupt();
    String analysisError = probe.takeUnreportedAnalysisError();
    boolean changed = received != reportedReceived || analysed != reportedAnalysed || skipped != reportedSkipped
        || failed != reportedFailed;
    if (changed || killSwitch != null || frameError != null || analysisError != null) {
      entity.tell(new CameraEntity.ReportStreamStats(received - reportedReceived, analysed - reportedAnalysed,
          skipped - reportedSkipped, failed - reportedFailed, round(fps), round(analysedFps), probe.lastFrameAt(),
          frameError, analysisError, stalled));
    }
    reportedReceived = received;
    reportedAnalysed = analysed;
    reportedSkipped = skipped;
    reportedFailed = failed;
  }

  private static double round(double rate) {
    return Math.round(rate * 100) / 100.0;
  }

  private Behavior<Message> onStop() {
    if (killSwitch != null) killSwitch.shutdown();
    ingest.latest().remove(cameraId);
    ingest.metrics().streamStopped(cameraId);
    return this;
  }
}
