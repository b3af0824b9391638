package gtvision.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Entry point of inference: validates the images, sends each request to the least-loaded usable
 * GPU worker and falls back to AWS (mode hybrid) when no GPU worker is usable, the GPU worker fails,
 * does not answer within the fallback timeout, or its circuit breaker is open. Every request gets
 * exactly one {@link Reply}.
 */
public final class InferenceRouter extends AbstractBehavior<InferenceRouter.Command> {

  public enum Mode {
    GPU,
    AWS,
    HYBRID;

    public static Mode parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("gtv.inference.mode must be gpu, aws or hybrid, not '" + s + "'");
      }
    }
  }

  /** Router settings; see inference.conf. */
  public record Settings(
      Mode mode, Duration fallbackTimeout, Duration awsTimeout, int breakerMaxFailures, Duration breakerReset,
      long maxPixels) {}

  public interface Command {}

  /**
   * Detect objects (and plates) in one or more encoded frames.
   *
   * @param cameraId for logs and per-camera accounting; empty for uploads
   */
  public record Detect(
      List<byte[]> images, DetectOptions options, Optional<String> cameraId, ActorRef<Reply> replyTo)
      implements Command, gtvision.CborSerializable {}

  public record GetHealth(ActorRef<HealthSnapshot> replyTo) implements Command, gtvision.CborSerializable {}

  public sealed interface Reply extends gtvision.CborSerializable {}

  /**
   * @param provider the provider that answered ("gpu" or "aws")
   * @param fallback true when the primary was skipped or failed and AWS answered instead
   */
  public record Detected(List<DetectionResult> results, String provider, boolean fallback) implements Reply {}

  /** The input is not acceptable (not an image, absurd dimensions): HTTP 400. */
  public record Rejected(String reason) implements Reply {}

  /** No provider could answer (down, timed out, budget spent): HTTP 503. */
  public record Unavailable(String reason) implements Reply {}

  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  private record StatusChanged(WorkerStatus status) implements Command {}

  private record WorkerAnswered(long id, ActorRef<InferenceWorker.Command> worker, InferenceWorker.Reply reply, Throwable failure)
      implements Command {}

  /** Router-side view of one worker. */
  private static final class Entry {
    final ActorRef<InferenceWorker.Command> ref;
    final String provider;
    final Breaker breaker;
    final Gauge gauge;
    WorkerStatus.State state = WorkerStatus.State.LOADING;
    String detail = "waiting for status";
    int inFlight;

    Entry(ActorRef<InferenceWorker.Command> ref, String provider, Breaker breaker, Gauge gauge) {
      this.ref = ref;
      this.provider = provider;
      this.breaker = breaker;
      this.gauge = gauge;
    }
  }

  private record Pending(Detect request, boolean fallback, String primaryFailure) {}

  public static Behavior<Command> create(
      Settings settings, MeterRegistry registry, AtomicReference<HealthSnapshot> health) {
    return create(settings, registry, health, System::nanoTime);
  }

  static Behavior<Command> create(
      Settings settings, MeterRegistry registry, AtomicReference<HealthSnapshot> health, LongSupplier nanoClock) {
    return Behaviors.setup(ctx -> new InferenceRouter(ctx, settings, registry, health, nanoClock));
  }

  private final Settings settings;
  private final MeterRegistry registry;
  private final AtomicReference<HealthSnapshot> health;
  private final LongSupplier nanoClock;
  private final ActorRef<WorkerStatus> statusAdapter;
  private final FrameWire wire;
  private final Map<ActorRef<InferenceWorker.Command>, Entry> workers = new LinkedHashMap<>();
  private final Map<Long, Pending> pending = new HashMap<>();
  private long nextId;

  private InferenceRouter(
      ActorContext<Command> ctx,
      Settings settings,
      MeterRegistry registry,
      AtomicReference<HealthSnapshot> health,
      LongSupplier nanoClock) {
    super(ctx);
    this.settings = settings;
    this.registry = registry;
    this.health = health;
    this.nanoClock = nanoClock;
    this.statusAdapter = ctx.messageAdapter(WorkerStatus.class, StatusChanged::new);
    this.wire = new FrameWire(ctx, registry);
    // Counters exist from the start (at 0) so that rate() and alerts work before the first fallback.
    FALLBACK_REASONS.forEach(reason -> fallbacks(registry, reason));
    ActorRef<Receptionist.Listing> listingAdapter = ctx.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
    if (settings.mode() != Mode.AWS) {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(InferenceWorker.GPU_KEY, listingAdapter));
    }
    if (settings.mode() != Mode.GPU) {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(InferenceWorker.AWS_KEY, listingAdapter));
    }
    publishHealth();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Detect.class, this::onDetect)
        .onMessage(WorkerAnswered.class, this::onAnswer)
        .onMessage(ListingChanged.class, this::onListing)
        .onMessage(StatusChanged.class, this::onStatus)
        .onMessage(GetHealth.class, m -> {
          m.replyTo().tell(snapshot());
          return this;
        })
        .build();
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
    long id = nextId++;
    String primary = settings.mode() == Mode.AWS ? RekognitionDetector.PROVIDER : YoloxOnnxDetector.PROVIDER;
    Optional<Entry> worker = pick(primary);
    if (worker.isPresent()) {
      send(id, new Pending(m, false, null), worker.get());
    } else if (settings.mode() == Mode.HYBRID) {
      fallback(id, m, anyBreakerOpen(primary) ? "breaker-open" : "no-worker", "no usable GPU worker");
    } else {
      m.replyTo().tell(new Unavailable("no usable " + primary + " worker (" + describe(primary) + ")"));
    }
    return this;
  }

  private static final List<String> FALLBACK_REASONS = List.of("breaker-open", "no-worker", "timeout", "failure");

  private static Counter fallbacks(MeterRegistry registry, String reason) {
    return Counter.builder("gtv.inference.fallbacks")
        .description("Requests sent to AWS because the GPU path could not answer")
        .tag("reason", reason)
        .register(registry);
  }

  private void fallback(long id, Detect m, String reason, String primaryFailure) {
    fallbacks(registry, reason).increment();
    Optional<Entry> aws = pick(RekognitionDetector.PROVIDER);
    if (aws.isPresent()) {
      send(id, new Pending(m, true, primaryFailure), aws.get());
    } else {
      pending.remove(id);
      m.replyTo().tell(new Unavailable(primaryFailure + "; no usable AWS worker (" + describe(RekognitionDetector.PROVIDER) + ")"));
    }
  }

  private void send(long id, Pending p, Entry worker) {
    pending.put(id, p);
    worker.inFlight++;
    Duration timeout = worker.provider.equals(RekognitionDetector.PROVIDER) ? settings.awsTimeout() : settings.fallbackTimeout();
    getContext()
        .ask(
            InferenceWorker.Reply.class,
            wire.target(worker.ref),
            timeout,
            replyTo -> new InferenceWorker.Detect(p.request().images(), p.request().options(), replyTo),
            (reply, failure) -> new WorkerAnswered(id, worker.ref, reply, failure));
    publishHealth();
  }

  private Behavior<Command> onAnswer(WorkerAnswered m) {
    Pending p = pending.remove(m.id());
    Entry worker = workers.get(m.worker());
    if (worker != null) worker.inFlight = Math.max(0, worker.inFlight - 1);
    if (p == null) return this; // cannot happen: every ask answers once; kept as a guard against double replies
    Detect request = p.request();
    String provider = worker != null ? worker.provider : (p.fallback() ? RekognitionDetector.PROVIDER : YoloxOnnxDetector.PROVIDER);

    if (m.reply() instanceof InferenceWorker.Detected d) {
      if (worker != null) worker.breaker.success();
      request.replyTo().tell(new Detected(d.results(), provider, p.fallback()));
      publishHealth();
      return this;
    }
    String reason;
    String fallbackReason;
    if (m.failure() != null) {
      reason = provider + " worker did not answer in time (" + (m.failure() instanceof TimeoutException ? "timeout" : m.failure()) + ")";
      fallbackReason = "timeout";
      if (worker != null) worker.breaker.failure();
    } else {
      InferenceWorker.Failed f = (InferenceWorker.Failed) m.reply();
      switch (f.kind()) {
        case INVALID_INPUT -> {
          if (worker != null) worker.breaker.success(); // the worker is fine, the input is not
          request.replyTo().tell(new Rejected(f.reason()));
          publishHealth();
          return this;
        }
        case ERROR -> {
          if (worker != null) worker.breaker.failure();
        }
        case NOT_READY, BUDGET_EXHAUSTED -> {
          // not the worker's fault: no breaker penalty
        }
      }
      reason = provider + ": " + f.reason();
      fallbackReason = "failure";
      // A crashed worker restarts without its subscribers: subscribe again to see it come back.
      if (worker != null) worker.ref.tell(new InferenceWorker.Subscribe(statusAdapter));
    }
    if (!p.fallback() && settings.mode() == Mode.HYBRID) {
      getContext().getLog().debug("falling back to AWS for camera {}: {}", request.cameraId().orElse("-"), reason);
      fallback(m.id(), request, fallbackReason, reason);
    } else {
      request.replyTo().tell(new Unavailable(p.primaryFailure() == null ? reason : p.primaryFailure() + "; then " + reason));
    }
    publishHealth();
    return this;
  }

  /** Least in-flight among ready workers whose breaker lets a request through. */
  private Optional<Entry> pick(String provider) {
    Optional<Entry> best =
        workers.values().stream()
            .filter(e -> e.provider.equals(provider) && e.state == WorkerStatus.State.READY && e.breaker.available())
            .min(Comparator.comparingInt((Entry e) -> e.inFlight));
    best.ifPresent(e -> e.breaker.tryAcquire());
    return best;
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
    String provider = key.equals(InferenceWorker.GPU_KEY) ? YoloxOnnxDetector.PROVIDER : RekognitionDetector.PROVIDER;
    Set<ActorRef<InferenceWorker.Command>> current = listing.getServiceInstances(key);
    workers.values().removeIf(
        e -> {
          boolean gone = e.provider.equals(provider) && !current.contains(e.ref);
          if (gone) registry.remove(e.gauge);
          return gone;
        });
    for (ActorRef<InferenceWorker.Command> ref : current) {
      if (workers.containsKey(ref)) continue;
      Breaker breaker = new Breaker(settings.breakerMaxFailures(), settings.breakerReset(), nanoClock);
      Gauge gauge =
          Gauge.builder("gtv.inference.breaker.state", breaker, b -> b.state().gaugeValue)
              .description("Circuit breaker per worker: 0 closed, 1 half-open, 2 open")
              .tag("worker", ref.path().toString())
              .tag("provider", provider)
              .register(registry);
      workers.put(ref, new Entry(ref, provider, breaker, gauge));
      ref.tell(new InferenceWorker.Subscribe(statusAdapter));
    }
    publishHealth();
    return this;
  }

  private Behavior<Command> onStatus(StatusChanged m) {
    Entry e = workers.get(m.status().worker());
    if (e != null) {
      e.state = m.status().state();
      e.detail = m.status().detail();
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
      list.add(new HealthSnapshot.Worker(e.ref.path().toString(), e.provider, e.state, e.detail, e.breaker.state().name(), e.inFlight));
    }
    return new HealthSnapshot(settings.mode().name().toLowerCase(java.util.Locale.ROOT), providers, list, Instant.now());
  }

  private void publishHealth() {
    health.set(snapshot());
  }
}
