package gtvision.inference;

import gtvision.CborSerializable;
import gtvision.tracing.TraceLog;
import gtvision.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Entry point of inference: validates the images and hands each request to the least-loaded usable
 * GPU worker, falling back to AWS (mode hybrid) when no GPU worker is usable, the GPU worker fails,
 * does not answer an admitted request within the fallback timeout, or its circuit breaker is open.
 *
 * <p>Overload is shed, never amplified: a worker is given at most its capacity (its detector's
 * {@link Detector#capacity()}); the rest waits here, per camera only its newest frame, the camera
 * that has waited longest first, uploads in their own bounded queue taking every other turn. In
 * hybrid mode what the GPU workers cannot take overflows to AWS (within its cost guard). A camera
 * frame older than the maximum age is answered {@link Busy} and never analysed. Waiting here is never
 * a provider failure: breakers see only errors and admitted requests that get no answer.
 *
 * <p>Every request gets exactly one {@link Reply}.
 */
public final class InferenceRouter extends AbstractBehavior<InferenceRouter.Command> {

  public enum Mode {
    GPU,
    AWS,
    HYBRID;

    public static Mode parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("gtv.inference.mode must be gpu, aws or hybrid, not '" + s + "'");
      }
    }
  }

  /** Router settings; see inference.conf. */
  public record Settings(
      Mode mode, Duration fallbackTimeout, Duration hangTimeout, Duration awsTimeout, int breakerMaxFailures,
      Duration breakerReset, long maxPixels, Duration maxFrameAge, int maxQueuedUploads) {

    /** A hang timeout not longer than the fallback timeout could not tell a hang from a wait: it is at least twice that. */
    public Settings {
      Duration least = fallbackTimeout.multipliedBy(2);
      if (hangTimeout.compareTo(least) < 0) hangTimeout = least;
    }
  }

  static final ServiceKey<InferenceWorker.Command> GPU_KEY = InferenceWorker.key(YoloxOnnxDetector.PROVIDER);
  static final ServiceKey<InferenceWorker.Command> AWS_KEY = InferenceWorker.key(RekognitionDetector.PROVIDER);

  /** After AWS refused an overflow frame for its budget, overflow rests this long before it tries again. */
  static final Duration OVERFLOW_PAUSE = Duration.ofSeconds(10);

  /** Utilisation and queue wait in /health are over windows of this length. */
  private static final long WINDOW_NANOS = Duration.ofSeconds(1).toNanos();

  public interface Command {}

  /**
   * Detect objects (and plates) in one or more encoded frames.
   *
   * @param cameraId the camera whose frame this is (per-camera fairness, newest frame wins); empty
   *     for uploads
   * @param capturedAt when the camera took the frame: its age counts from then (empty: from now)
   * @param traceParent the caller's span (W3C traceparent), parent of the router's span; null: not traced
   */
  public record Detect(
      List<byte[]> images, DetectOptions options, Optional<String> cameraId, Optional<Instant> capturedAt,
      ActorRef<Reply> replyTo, String traceParent)
      implements Command, CborSerializable {

    public Detect(
        List<byte[]> images, DetectOptions options, Optional<String> cameraId, Optional<Instant> capturedAt,
        ActorRef<Reply> replyTo) {
      this(images, options, cameraId, capturedAt, replyTo, null);
    }

    /** A frame whose age counts from its arrival at the router (an upload). */
    public Detect(List<byte[]> images, DetectOptions options, Optional<String> cameraId, ActorRef<Reply> replyTo) {
      this(images, options, cameraId, Optional.empty(), replyTo, null);
    }
  }

  public record GetHealth(ActorRef<HealthSnapshot> replyTo) implements Command, CborSerializable {}

  public sealed interface Reply extends CborSerializable {}

  /**
   * @param provider the provider that answered ("gpu" or "aws")
   * @param fallback true when AWS answered a hybrid request instead of the GPU (skipped, failed or full)
   */
  public record Detected(List<DetectionResult> results, String provider, boolean fallback) implements Reply {}

  /** The input is not acceptable (not an image, absurd dimensions): HTTP 400. */
  public record Rejected(String reason) implements Reply {}

  /** No provider could answer (down, timed out, budget spent): HTTP 503. */
  public record Unavailable(String reason) implements Reply {}

  /**
   * A camera frame not analysed because the detectors were busy: a newer frame of the same camera took
   * its place, or it grew older than the maximum age while it waited. Only camera frames (with a
   * cameraId) get this; an upload that cannot be taken is {@link Unavailable}.
   */
  public record Busy(String reason) implements Reply {}

  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  private record StatusChanged(WorkerStatus status) implements Command {}

  private record WorkerAnswered(long id, ActorRef<InferenceWorker.Command> worker, InferenceWorker.Reply reply, Throwable failure)
      implements Command {}

  /** The fallback timeout of an admitted request: its sender is answered now, whatever the worker does later. */
  private record AnswerDue(long id) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** Router-side view of one worker. Load fields are volatile: the metrics scrape reads them. */
  private static final class Entry {
    final ActorRef<InferenceWorker.Command> ref;
    final String provider;
    final Breaker breaker;
    final List<Meter> meters = new ArrayList<>();
    WorkerStatus.State state = WorkerStatus.State.LOADING;
    String detail = "waiting for status";
    int capacity;
    int inFlight;
    // When the worker last answered anything, and when a timeout last counted against its breaker.
    long lastAnswerNanos = Long.MIN_VALUE;
    long lastTimeoutCountedNanos = Long.MIN_VALUE;
    volatile long busySince = -1;
    volatile long busyNanos;
    long windowStart;
    long windowBusy;
    volatile double utilisation;

    Entry(ActorRef<InferenceWorker.Command> ref, String provider, Breaker breaker, long now) {
      this.ref = ref;
      this.provider = provider;
      this.breaker = breaker;
      this.windowStart = now;
    }

    boolean usable() {
      return state == WorkerStatus.State.READY && breaker.available();
    }

    boolean hasRoom() {
      return usable() && inFlight < capacity;
    }

    void inFlight(int n, long now) {
      if (inFlight == 0 && n > 0) busySince = now;
      if (inFlight > 0 && n == 0) {
        busyNanos += now - busySince;
        busySince = -1;
      }
      inFlight = n;
    }

    long busy(long now) {
      long since = busySince;
      return busyNanos + (since < 0 ? 0 : now - since);
    }
  }

  /**
   * A request waiting for a worker with room; {@code bornNanos} is its capture time on the nano clock
   * (its arrival when the capture time is unknown or in the future).
   */
  private record Waiting(Detect request, long receivedNanos, long bornNanos) {

    static Waiting arrived(Detect request, long now) {
      long ageNanos = request.capturedAt()
          .map(at -> Math.max(0, Duration.between(at, Instant.now()).toNanos()))
          .orElse(0L);
      return new Waiting(request, now, now - ageNanos);
    }
  }

  /**
   * A camera's place in the hold. It keeps its place while empty (its frame was answered busy) so
   * that the camera's next frame does not go to the back.
   */
  private static final class Slot {
    Waiting frame;
    long emptySince;

    Slot(Waiting frame) {
      this.frame = frame;
    }
  }

  /**
   * A request a worker has. {@code released}: its sender was already answered (the fallback timeout
   * passed); the worker keeps the slot until it answers, so that a slow worker is never given more
   * than its capacity.
   */
  private record Pending(Detect request, boolean fallback, String primaryFailure, long bornNanos, boolean released) {

    Pending(Detect request, boolean fallback, String primaryFailure, long bornNanos) {
      this(request, fallback, primaryFailure, bornNanos, false);
    }

    Pending release() {
      return new Pending(request, fallback, primaryFailure, bornNanos, true);
    }
  }

  /** When a pending request was handed to which worker. */
  private record Sent(long nanos, ActorRef<InferenceWorker.Command> worker) {}

  public static Behavior<Command> create(
      Settings settings, MeterRegistry registry, AtomicReference<HealthSnapshot> health) {
    return create(settings, registry, health, System::nanoTime);
  }

  /** @param breakerClock nanoseconds for the breakers' reset timeout (tests move it by hand) */
  static Behavior<Command> create(
      Settings settings, MeterRegistry registry, AtomicReference<HealthSnapshot> health, LongSupplier breakerClock) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new InferenceRouter(ctx, timers, settings, registry, health, breakerClock)));
  }

  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final MeterRegistry registry;
  private final AtomicReference<HealthSnapshot> health;
  private final LongSupplier breakerClock;
  private final long maxAgeNanos;
  private final ActorRef<WorkerStatus> statusAdapter;
  private final FrameWire wire;
  private final Tracing tracing;
  /** The span of each traced request a worker has, by request id; ended when the worker answers. */
  private final Map<Long, Span> spans = new HashMap<>();
  private final Map<ActorRef<InferenceWorker.Command>, Entry> workers = new LinkedHashMap<>();
  private static final Duration HEALTH_EVERY = Duration.ofMillis(100);
  private long healthPublishedNanos = Long.MIN_VALUE / 2;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Map<Long, Sent> sent = new HashMap<>();
  /** Insertion order is the order in which the cameras began to wait. */
  private final LinkedHashMap<String, Slot> cameras = new LinkedHashMap<>();
  private final ArrayDeque<Waiting> uploads = new ArrayDeque<>();
  private final Map<String, Counter> skipped = new LinkedHashMap<>();
  private final Map<String, Timer> queueWait = new HashMap<>();
  private volatile int heldCameraFrames;
  private boolean uploadsNext;
  private long overflowPausedUntil = Long.MIN_VALUE;
  private long nextId;
  private long windowStart = System.nanoTime();
  private long windowWaitNanos;
  private long windowAdmitted;
  private double lastWaitMs;

  private InferenceRouter(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Settings settings,
      MeterRegistry registry,
      AtomicReference<HealthSnapshot> health,
      LongSupplier breakerClock) {
    super(ctx);
    this.settings = settings;
    this.timers = timers;
    this.registry = registry;
    this.health = health;
    this.breakerClock = breakerClock;
    this.maxAgeNanos = settings.maxFrameAge().toNanos();
    this.statusAdapter = ctx.messageAdapter(WorkerStatus.class, StatusChanged::new);
    this.wire = new FrameWire(ctx, registry);
    this.tracing = Tracing.get(ctx.getSystem());
    // Counters exist from the start (at 0) so that rate() and alerts work before the first event.
    FALLBACK_REASONS.forEach(reason -> fallbacks(registry, reason));
    for (String reason : SKIP_REASONS) {
      skipped.put(
          reason,
          Counter.builder("gtv.inference.skipped")
              .description("Frames answered busy, not analysed (too-old, superseded, busy, budget)")
              .tag("reason", reason)
              .register(registry));
    }
    for (String provider : List.of(YoloxOnnxDetector.PROVIDER, RekognitionDetector.PROVIDER)) {
      queueWait.put(
          provider,
          Timer.builder("gtv.inference.queue.wait")
              .description("Time a request waited in the router for a worker with room")
              .tag("provider", provider)
              .publishPercentileHistogram()
              .register(registry));
    }
    Gauge.builder("gtv.inference.queued", this, r -> r.heldCameraFrames)
        .description("Requests held by the router because every worker is at capacity")
        .tag("kind", "camera")
        .register(registry);
    Gauge.builder("gtv.inference.queued", uploads, ArrayDeque::size)
        .description("Requests held by the router because every worker is at capacity")
        .tag("kind", "upload")
        .register(registry);
    ActorRef<Receptionist.Listing> listingAdapter = ctx.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
    if (settings.mode() != Mode.AWS) {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(GPU_KEY, listingAdapter));
    }
    if (settings.mode() != Mode.GPU) {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(AWS_KEY, listingAdapter));
    }
    // Held frames must be answered when they grow too old even if no worker frees up.
    Duration tick = settings.maxFrameAge().dividedBy(4);
    if (tick.compareTo(Duration.ofSeconds(1)) > 0) tick = Duration.ofSeconds(1);
    if (tick.compareTo(Duration.ofMillis(10)) < 0) tick = Duration.ofMillis(10);
    timers.startTimerWithFixedDelay(Tick.INSTANCE, tick);
    publishHealth();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Detect.class, this::onDetect)
        .onMessage(WorkerAnswered.class, this::onAnswer)
        .onMessage(AnswerDue.class, this::onAnswerDue)
        .onMessage(ListingChanged.class, this::onListing)
        .onMessage(StatusChanged.class, this::onStatus)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(GetHealth.class, m -> {
          m.replyTo().tell(snapshot());
          return this;
        })
        .build();
  }

  private static final List<String> FALLBACK_REASONS = List.of("breaker-open", "no-worker", "timeout", "failure", "overflow");
  private static final List<String> SKIP_REASONS = List.of("too-old", "superseded", "busy", "budget", "slow");

  private static Counter fallbacks(MeterRegistry registry, String reason) {
    return Counter.builder("gtv.inference.fallbacks")
        .description("Requests sent to AWS because the GPU path could not answer or was full")
        .tag("reason", reason)
        .register(registry);
  }

  private String primary() {
    return settings.mode() == Mode.AWS ? RekognitionDetector.PROVIDER : YoloxOnnxDetector.PROVIDER;
  }

  private Behavior<Command> onDetect(Detect m) {
    if (m.images().isEmpty()) {
      m.replyTo().tell(new Rejected("no image in the request"));
      return this;
    }
    for (int i = 0; i < m.images().size(); i++) {
      try {
        ImageHeader.check(m.images().get(i), settings.maxPixels());
      } catch (InvalidImageException e) {
        m.replyTo().tell(new Rejected(m.images().size() == 1 ? e.getMessage() : "image " + i + ": " + e.getMessage()));
        return this;
      }
    }
    if (!anyUsable()) {
      m.replyTo().tell(new Unavailable(nothingUsable()));
      return this;
    }
    hold(Waiting.arrived(m, System.nanoTime()));
    dispatch();
    publishHealthAtMostEvery();
    return this;
  }

  private void hold(Waiting w) {
    Optional<String> camera = w.request().cameraId();
    if (camera.isPresent() && System.nanoTime() - w.bornNanos() > maxAgeNanos) {
      skip("too-old", w.request(), tooOld());
      return;
    }
    if (camera.isEmpty()) {
      if (uploads.size() >= settings.maxQueuedUploads()) {
        skip("busy", w.request(), "inference is busy: " + uploads.size() + " uploads already waiting (gtv.inference.max-queued-uploads)");
      } else {
        uploads.addLast(w);
      }
      return;
    }
    Slot slot = cameras.get(camera.get());
    if (slot == null) {
      cameras.put(camera.get(), new Slot(w));
      heldCameraFrames++;
    } else if (slot.frame == null) {
      slot.frame = w;
      heldCameraFrames++;
    } else {
      // Only the newest frame of a camera is worth analysing; the older one gives way, the place stays.
      skip("superseded", slot.frame.request(), "superseded by a newer frame of camera " + camera.get());
      slot.frame = w;
    }
  }

  /** Hands held requests to workers with room, in fair order, until none has room or nothing waits. */
  private void dispatch() {
    long now = System.nanoTime();
    expire(now);
    if (!anyUsable()) {
      flush(nothingUsable());
      return;
    }
    while (true) {
      Map.Entry<String, Slot> camera = firstWaitingCamera();
      Waiting upload = uploads.peekFirst();
      if (camera == null && upload == null) return;
      boolean takeUpload = upload != null && (camera == null || uploadsNext);
      Optional<Target> target = target(now);
      if (target.isEmpty()) return;
      Waiting next;
      if (takeUpload) {
        next = uploads.pollFirst();
      } else {
        next = camera.getValue().frame;
        cameras.remove(camera.getKey()); // served: the camera's next frame goes to the back
        heldCameraFrames--;
      }
      if (camera != null && upload != null) uploadsNext = !takeUpload;
      Target t = target.get();
      t.worker().breaker.tryAcquire();
      long waited = now - next.receivedNanos();
      queueWait.get(t.worker().provider).record(waited, TimeUnit.NANOSECONDS);
      windowWaitNanos += waited;
      windowAdmitted++;
      if (t.fallbackReason() != null) fallbacks(registry, t.fallbackReason()).increment();
      send(nextId++, new Pending(next.request(), t.fallbackReason() != null, t.primaryFailure(), next.bornNanos()), t.worker());
    }
  }

  /** Where the next held request goes; fallbackReason is null for the primary provider. */
  private record Target(Entry worker, String fallbackReason, String primaryFailure) {}

  private Optional<Target> target(long now) {
    Optional<Entry> primary = withRoom(primary());
    if (primary.isPresent()) return Optional.of(new Target(primary.get(), null, null));
    if (settings.mode() != Mode.HYBRID || now < overflowPausedUntil) return Optional.empty();
    Optional<Entry> aws = withRoom(RekognitionDetector.PROVIDER);
    if (aws.isEmpty()) return Optional.empty();
    String gpu = YoloxOnnxDetector.PROVIDER;
    if (usable(gpu)) return Optional.of(new Target(aws.get(), "overflow", null));
    boolean open = anyBreakerOpen(gpu);
    return Optional.of(new Target(aws.get(), open ? "breaker-open" : "no-worker", "no usable GPU worker (" + describe(gpu) + ")"));
  }

  private Map.Entry<String, Slot> firstWaitingCamera() {
    for (Map.Entry<String, Slot> e : cameras.entrySet()) {
      if (e.getValue().frame != null) return e;
    }
    return null;
  }

  /** Answers held camera frames that are too old; forgets the places of cameras that stopped sending. */
  private void expire(long now) {
    Iterator<Map.Entry<String, Slot>> it = cameras.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Slot> e = it.next();
      Slot slot = e.getValue();
      if (slot.frame == null) {
        if (now - slot.emptySince > maxAgeNanos) it.remove();
      } else if (now - slot.frame.bornNanos() > maxAgeNanos) {
        skip("too-old", slot.frame.request(), tooOld());
        slot.frame = null;
        slot.emptySince = now;
        heldCameraFrames--;
      }
    }
  }

  private String tooOld() {
    return "frame older than " + settings.maxFrameAge().toMillis() + " ms before a detector was free (gtv.inference.max-frame-age)";
  }

  /** Nothing can serve anything any more: everything held is answered. */
  private void flush(String reason) {
    for (Slot slot : cameras.values()) {
      if (slot.frame != null) slot.frame.request().replyTo().tell(new Unavailable(reason));
    }
    cameras.clear();
    heldCameraFrames = 0;
    Waiting w;
    while ((w = uploads.pollFirst()) != null) w.request().replyTo().tell(new Unavailable(reason));
  }

  private void skip(String reason, Detect request, String text) {
    skipped.get(reason).increment();
    request.replyTo().tell(request.cameraId().isPresent() ? new Busy(text) : new Unavailable(text));
  }

  private void fallback(long id, Pending p, String reason, String primaryFailure) {
    Optional<Entry> aws = withRoom(RekognitionDetector.PROVIDER);
    if (aws.isPresent()) {
      fallbacks(registry, reason).increment();
      aws.get().breaker.tryAcquire();
      send(id, new Pending(p.request(), true, primaryFailure, p.bornNanos()), aws.get());
    } else {
      p.request().replyTo().tell(
          new Unavailable(primaryFailure + "; no usable AWS worker with room (" + describe(RekognitionDetector.PROVIDER) + ")"));
    }
  }

  /**
   * Hands one request to one worker; the only place a request leaves the router. A GPU worker's sender
   * is answered after the fallback timeout at the latest ({@link AnswerDue}); the worker itself counts as
   * not answering only after the hang timeout. AWS has one timeout (its SDK retries within it).
   */
  private void send(long id, Pending p, Entry worker) {
    long now = System.nanoTime();
    pending.put(id, p);
    sent.put(id, new Sent(now, worker.ref));
    worker.inFlight(worker.inFlight + 1, now);
    traceSent(id, p, worker);
    boolean aws = worker.provider.equals(RekognitionDetector.PROVIDER);
    Duration timeout = aws ? settings.awsTimeout() : settings.hangTimeout();
    if (!aws) timers.startSingleTimer(new AnswerDue(id), new AnswerDue(id), settings.fallbackTimeout());
    getContext()
        .ask(
            InferenceWorker.Reply.class,
            wire.target(worker.ref, worker.provider),
            timeout,
            replyTo -> new InferenceWorker.Detect(p.request().images(), workerOptions(p.request()), replyTo),
            (reply, failure) -> new WorkerAnswered(id, worker.ref, reply, failure));
  }

  /**
   * A traced request handed to a worker gets a span (a child of the caller's) with what decided where it
   * went: provider, model, batch size, whether it is a fallback and why, the worker's breaker state.
   */
  private void traceSent(long id, Pending p, Entry worker) {
    String parent = p.request().traceParent();
    if (parent == null || !tracing.enabled()) return;
    Span span = tracing.child("inference " + worker.provider, SpanKind.CLIENT, parent);
    span.setAttribute("gtv.inference.provider", worker.provider);
    span.setAttribute("gtv.inference.model", worker.state == WorkerStatus.State.READY ? worker.detail : "");
    span.setAttribute("gtv.inference.batch_size", p.request().images().size());
    span.setAttribute("gtv.inference.fallback", p.fallback());
    if (p.primaryFailure() != null) span.setAttribute("gtv.inference.fallback_reason", p.primaryFailure());
    span.setAttribute("gtv.inference.breaker", worker.breaker.state().name());
    span.setAttribute("gtv.inference.worker", worker.ref.path().toString());
    p.request().cameraId().ifPresent(camera -> span.setAttribute(Tracing.CAMERA, camera));
    spans.put(id, span);
  }

  /** The worker answered (or its ask timed out): the request's span ends with the outcome. */
  private static void traceAnswered(Span span, WorkerAnswered m, Entry worker) {
    String outcome = m.reply() instanceof InferenceWorker.Detected ? "detected"
        : m.reply() instanceof InferenceWorker.Failed f ? f.kind().name().toLowerCase(Locale.ROOT)
        : "timeout";
    span.setAttribute(Tracing.OUTCOME, outcome);
    if (worker != null) span.setAttribute("gtv.inference.breaker_after", worker.breaker.state().name());
    if (outcome.equals("error") || outcome.equals("timeout")) span.setStatus(StatusCode.ERROR, outcome);
    span.end();
  }

  /**
   * A camera frame goes to the worker with its deadline (capture time plus the maximum age): one that
   * was young when admitted may still wait in the worker's queue, behind frames of other routers, and
   * the worker drops it there rather than analyse it late.
   */
  private DetectOptions workerOptions(Detect request) {
    if (request.cameraId().isEmpty() || request.capturedAt().isEmpty()) return request.options();
    return request.options().withNotAfter(request.capturedAt().get().plus(settings.maxFrameAge()));
  }

  private Behavior<Command> onAnswer(WorkerAnswered m) {
    Pending p = pending.remove(m.id());
    Sent s = sent.remove(m.id());
    timers.cancel(new AnswerDue(m.id()));
    Entry worker = workers.get(m.worker());
    long now = System.nanoTime();
    if (worker != null) worker.inFlight(Math.max(0, worker.inFlight - 1), now);
    long sentNanos = s == null ? now : s.nanos();
    // p is null only for a double reply, which asks cannot produce
    // Taken before answering: a fallback sends the request on under the same id, with a span of its own.
    Span span = spans.remove(m.id());
    if (p != null && p.released()) {
      settleLate(m, worker, sentNanos);
    } else if (p != null) {
      answered(m, p, worker, sentNanos);
    }
    if (span != null) traceAnswered(span, m, worker);
    if (worker != null && m.reply() != null) worker.lastAnswerNanos = now;
    dispatch(); // the worker has room again
    publishHealthAtMostEvery();
    return this;
  }

  /**
   * The fallback timeout of a GPU request passed: its sender is answered now (from AWS in hybrid mode,
   * a camera frame as skipped, an upload as unavailable) while the worker keeps the request and its
   * slot. Waiting is no failure of the worker; a worker that answers nothing for the hang timeout is
   * (see settleLate).
   */
  private Behavior<Command> onAnswerDue(AnswerDue m) {
    Pending p = pending.get(m.id());
    Sent s = sent.get(m.id());
    if (p == null || p.released() || s == null) return this;
    pending.put(m.id(), p.release());
    Entry worker = workers.get(s.worker());
    String provider = worker == null ? YoloxOnnxDetector.PROVIDER : worker.provider;
    long now = System.nanoTime();
    long quietNanos = now - (worker == null ? s.nanos() : Math.max(s.nanos(), worker.lastAnswerNanos));
    Detect request = p.request();
    String reason = provider + " worker did not answer in time (" + settings.fallbackTimeout().toMillis()
        + " ms; its last answer " + quietNanos / 1_000_000 + " ms ago)";
    Span span = spans.get(m.id());
    if (span != null) span.addEvent("fallback timeout: the sender is answered without this worker");
    if (!p.fallback() && settings.mode() == Mode.HYBRID && withRoom(RekognitionDetector.PROVIDER).isPresent()) {
      fallback(nextId++, p, "timeout", reason);
    } else if (request.cameraId().isPresent()) {
      // Busy or slow until the hang timeout says otherwise: the camera counts the frame as skipped.
      skip("slow", request, reason + "; frame skipped");
    } else {
      request.replyTo().tell(new Unavailable(p.primaryFailure() == null ? reason : p.primaryFailure() + "; then " + reason));
    }
    dispatch(); // in hybrid mode AWS may take what waits
    publishHealthAtMostEvery();
    return this;
  }

  /**
   * The worker's answer to a request whose sender was answered already: it only tells about the worker.
   * No answer within the hang timeout while the worker answered nothing else either: the worker has
   * stopped answering, and its breaker opens at once (half-open later, as for errors).
   */
  private void settleLate(WorkerAnswered m, Entry worker, long sentNanos) {
    if (worker == null) return;
    if (m.reply() instanceof InferenceWorker.Detected) {
      worker.breaker.success();
    } else if (m.reply() instanceof InferenceWorker.Failed f && f.kind() == InferenceWorker.FailureKind.ERROR) {
      worker.breaker.failure();
    } else if (m.failure() != null && worker.lastAnswerNanos < sentNanos) {
      if (worker.breaker.state() != Breaker.State.OPEN) {
        getContext().getLog().warn("{} worker {} answered nothing for {}: its breaker opens",
            worker.provider, worker.ref.path(), settings.hangTimeout());
      }
      worker.breaker.trip();
    }
  }

  private void answered(WorkerAnswered m, Pending p, Entry worker, long sentNanos) {
    Detect request = p.request();
    String provider = worker != null ? worker.provider : (p.fallback() ? RekognitionDetector.PROVIDER : YoloxOnnxDetector.PROVIDER);
    if (m.reply() instanceof InferenceWorker.Detected d) {
      if (worker != null) worker.breaker.success();
      request.replyTo().tell(new Detected(d.results(), provider, p.fallback()));
      return;
    }
    String reason;
    String fallbackReason;
    if (m.failure() != null) {
      // A worker that answered other requests since this one was sent is slow (CPU starved, a cold
      // start), not broken: the frame is skipped, the breaker untouched. One that answered nothing has
      // stopped answering; the requests sent in one go before that time out together and count once.
      boolean silent = worker == null || worker.lastAnswerNanos < sentNanos;
      if (!silent && request.cameraId().isPresent()) {
        skip("slow", request, provider + " worker is slower than the fallback timeout; frame skipped");
        return;
      }
      reason = provider + " worker did not answer in time (" + (m.failure() instanceof TimeoutException ? "timeout" : m.failure()) + ")";
      fallbackReason = "timeout";
      if (worker != null && silent && sentNanos > worker.lastTimeoutCountedNanos) {
        worker.lastTimeoutCountedNanos = System.nanoTime();
        worker.breaker.failure();
      }
    } else {
      InferenceWorker.Failed f = (InferenceWorker.Failed) m.reply();
      switch (f.kind()) {
        case INVALID_INPUT -> {
          if (worker != null) worker.breaker.success(); // the worker is fine, the input is not
          request.replyTo().tell(new Rejected(f.reason()));
          return;
        }
        case ERROR -> {
          if (worker != null) worker.breaker.failure();
        }
        case BUDGET_EXHAUSTED -> {
          if (p.fallback() && p.primaryFailure() == null) { // an overflow frame: the GPU may still take it
            overflowPausedUntil = System.nanoTime() + OVERFLOW_PAUSE.toNanos();
            requeueOrSkip(p, f.reason());
            return;
          }
        }
        case NOT_READY -> {
          // not the worker's fault: no breaker penalty
        }
        case EXPIRED -> {
          // The worker was busy (its queue held frames of other routers too); busy is not broken.
          skip("too-old", request, tooOld());
          return;
        }
      }
      reason = provider + ": " + f.reason();
      fallbackReason = "failure";
      // A crashed worker restarts without its subscribers: subscribe again to see it come back.
      if (worker != null) worker.ref.tell(new InferenceWorker.Subscribe(statusAdapter));
    }
    if (!p.fallback() && settings.mode() == Mode.HYBRID) {
      try (TraceLog log = TraceLog.of(request.traceParent())) {
        getContext().getLog().debug("falling back to AWS for camera {}: {}", request.cameraId().orElse("-"), reason);
      }
      fallback(m.id(), p, fallbackReason, reason);
    } else {
      request.replyTo().tell(new Unavailable(p.primaryFailure() == null ? reason : p.primaryFailure() + "; then " + reason));
    }
  }

  /** An overflow frame AWS refused for its budget waits for the GPU again, unless a newer frame does. */
  private void requeueOrSkip(Pending p, String reason) {
    Optional<String> camera = p.request().cameraId();
    Slot slot = camera.map(cameras::get).orElse(null);
    long now = System.nanoTime();
    boolean young = now - p.bornNanos() <= maxAgeNanos;
    if (camera.isEmpty()) {
      uploads.addFirst(new Waiting(p.request(), now, p.bornNanos()));
    } else if (young && (slot == null || slot.frame == null)) {
      hold(new Waiting(p.request(), now, p.bornNanos()));
    } else {
      skip("budget", p.request(), reason);
    }
  }

  private Behavior<Command> onTick() {
    long now = System.nanoTime();
    if (now - windowStart >= WINDOW_NANOS) {
      lastWaitMs = windowAdmitted == 0 ? 0 : windowWaitNanos / 1e6 / windowAdmitted;
      windowWaitNanos = 0;
      windowAdmitted = 0;
      windowStart = now;
    }
    for (Entry e : workers.values()) {
      if (now - e.windowStart < WINDOW_NANOS) continue;
      long busy = e.busy(now);
      e.utilisation = Math.min(1.0, (busy - e.windowBusy) / (double) (now - e.windowStart));
      e.windowBusy = busy;
      e.windowStart = now;
    }
    dispatch();
    publishHealth();
    return this;
  }

  /** Least in-flight among usable workers of the provider that have room. */
  private Optional<Entry> withRoom(String provider) {
    return workers.values().stream()
        .filter(e -> e.provider.equals(provider) && e.hasRoom())
        .min(Comparator.comparingInt((Entry e) -> e.inFlight));
  }

  private boolean usable(String provider) {
    return workers.values().stream().anyMatch(e -> e.provider.equals(provider) && e.usable());
  }

  private boolean anyUsable() {
    return usable(primary()) || (settings.mode() == Mode.HYBRID && usable(RekognitionDetector.PROVIDER));
  }

  private String nothingUsable() {
    String primary = primary();
    if (settings.mode() != Mode.HYBRID) return "no usable " + primary + " worker (" + describe(primary) + ")";
    return "no usable GPU worker (" + describe(primary) + "); no usable AWS worker ("
        + describe(RekognitionDetector.PROVIDER) + ")";
  }

  private boolean anyBreakerOpen(String provider) {
    return workers.values().stream()
        .anyMatch(e -> e.provider.equals(provider) && e.state == WorkerStatus.State.READY && !e.breaker.available());
  }

  private String describe(String provider) {
    List<String> parts = new ArrayList<>();
    for (Entry e : workers.values()) {
      if (e.provider.equals(provider)) parts.add(e.ref.path().name() + " " + e.state + ", breaker " + e.breaker.state());
    }
    return parts.isEmpty() ? "none registered" : String.join("; ", parts);
  }

  private Behavior<Command> onListing(ListingChanged m) {
    Receptionist.Listing listing = m.listing();
    @SuppressWarnings("unchecked")
    ServiceKey<InferenceWorker.Command> key = (ServiceKey<InferenceWorker.Command>) listing.getKey();
    String provider = key.equals(GPU_KEY) ? YoloxOnnxDetector.PROVIDER : RekognitionDetector.PROVIDER;
    Set<ActorRef<InferenceWorker.Command>> current = listing.getServiceInstances(key);
    workers.values().removeIf(
        e -> {
          boolean gone = e.provider.equals(provider) && !current.contains(e.ref);
          if (gone) e.meters.forEach(registry::remove);
          return gone;
        });
    for (ActorRef<InferenceWorker.Command> ref : current) {
      if (workers.containsKey(ref)) continue;
      Entry e = new Entry(ref, provider, new Breaker(settings.breakerMaxFailures(), settings.breakerReset(), breakerClock), System.nanoTime());
      String path = ref.path().toString();
      e.meters.add(
          Gauge.builder("gtv.inference.breaker.state", e.breaker, b -> b.state().gaugeValue)
              .description("Circuit breaker per worker: 0 closed, 1 half-open, 2 open")
              .tag("worker", path)
              .tag("provider", provider)
              .register(registry));
      e.meters.add(
          FunctionCounter.builder("gtv.inference.worker.busy", e, x -> x.busy(System.nanoTime()) / 1e9)
              .description("Time the worker had a request of this node in flight; rate() is its utilisation")
              .baseUnit("seconds")
              .tag("worker", path)
              .tag("provider", provider)
              .register(registry));
      e.meters.add(
          Gauge.builder("gtv.inference.worker.utilisation", e, x -> x.utilisation)
              .description("Share of the last second the worker had a request of this node in flight")
              .tag("worker", path)
              .tag("provider", provider)
              .register(registry));
      workers.put(ref, e);
      ref.tell(new InferenceWorker.Subscribe(statusAdapter));
    }
    dispatch();
    publishHealth();
    return this;
  }

  private Behavior<Command> onStatus(StatusChanged m) {
    Entry e = workers.get(m.status().worker());
    if (e != null) {
      e.state = m.status().state();
      e.detail = m.status().detail();
      e.capacity = m.status().capacity();
      dispatch();
      publishHealth();
    }
    return this;
  }

  private HealthSnapshot snapshot() {
    Map<String, String> providers = new LinkedHashMap<>();
    List<HealthSnapshot.Worker> list = new ArrayList<>();
    for (String p : List.of(YoloxOnnxDetector.PROVIDER, RekognitionDetector.PROVIDER)) {
      boolean used = p.equals(YoloxOnnxDetector.PROVIDER) ? settings.mode() != Mode.AWS : settings.mode() != Mode.GPU;
      if (!used) continue;
      boolean any = false;
      boolean usable = false;
      for (Entry e : workers.values()) {
        if (!e.provider.equals(p)) continue;
        any = true;
        usable |= e.state == WorkerStatus.State.READY && e.breaker.state() != Breaker.State.OPEN;
      }
      providers.put(p, usable ? "UP" : any ? "DEGRADED" : "DOWN");
    }
    for (Entry e : workers.values()) {
      list.add(new HealthSnapshot.Worker(
          e.ref.path().toString(), e.provider, e.state, e.detail, e.breaker.state().name(), e.inFlight, e.capacity,
          e.utilisation));
    }
    Map<String, Long> skips = new LinkedHashMap<>();
    skipped.forEach((reason, c) -> skips.put(reason, (long) c.count()));
    return new HealthSnapshot(
        settings.mode().name().toLowerCase(Locale.ROOT), providers, list,
        new HealthSnapshot.Queue(heldCameraFrames, uploads.size(), lastWaitMs), skips, null, Instant.now());
  }

  private void publishHealth() {
    health.set(snapshot());
    healthPublishedNanos = System.nanoTime();
  }

  /**
   * Per frame (a request, an answer) the snapshot is rebuilt at most every {@link #HEALTH_EVERY}: hundreds of
   * frames a second need not build hundreds of snapshots; the tick and every change of a worker publish
   * at once.
   */
  private void publishHealthAtMostEvery() {
    if (System.nanoTime() - healthPublishedNanos >= HEALTH_EVERY.toNanos()) publishHealth();
  }
}
