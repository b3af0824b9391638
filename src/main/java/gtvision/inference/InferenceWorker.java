package gtvision.inference;

import gtvision.CborSerializable;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Owns one {@link Detector} (a local model or the Rekognition client) and serves detect requests
 * with it. Registers with the Receptionist under its provider's key so routers on any node find it.
 *
 * <p>The detector is created off the actor (model loading blocks) and the actor never waits for
 * inference: results come back as messages. A detector that cannot be created is reported as
 * FAILED and tried again after a growing delay, not in a loop; an unexpected exception in the
 * actor restarts it with backoff (supervision), answering the request that caused it first.
 */
public final class InferenceWorker extends AbstractBehavior<InferenceWorker.Command> {

  /** The Receptionist key of a provider's workers; the worker itself knows no provider by name. */
  public static ServiceKey<Command> key(String provider) {
    return ServiceKey.create(Command.class, "gtv-inference-" + provider);
  }

  /** Creates the detector; may block (runs on the blocking dispatcher). */
  @FunctionalInterface
  public interface DetectorFactory {
    Detector create() throws Exception;

    /**
     * The same, telling {@code progress} what it is doing (a model download) for the worker's
     * status; called from the creating thread.
     */
    default Detector create(Consumer<String> progress) throws Exception {
      return create();
    }
  }

  public interface Command {}

  /** Detect on encoded images; the reply is one {@link Reply}. */
  public record Detect(List<byte[]> images, DetectOptions options, ActorRef<Reply> replyTo)
      implements Command, CborSerializable {}

  /**
   * Read plates on vehicle crops (encoded images) of a frame this worker detected without plates,
   * for a router on another node ({@link WireProxy}); the reply is {@link PlatesRead} or {@link Failed}.
   */
  public record ReadPlates(List<byte[]> crops, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /** Ask for status updates (sent now and on every change) until the subscriber stops. */
  public record Subscribe(ActorRef<WorkerStatus> subscriber) implements Command, CborSerializable {}

  public sealed interface Reply extends CborSerializable {}

  public record Detected(List<DetectionResult> results) implements Reply {}

  /** One entry per crop of a {@link ReadPlates}, in its order: the plate, or empty when none was read. */
  public record PlatesRead(List<Optional<Plate>> plates) implements Reply {}

  /**
   * Why a request failed; only ERROR counts against the worker's circuit breaker. EXPIRED: the
   * request's {@link DetectOptions#notAfter()} passed while it waited here; nothing was analysed.
   */
  public enum FailureKind {
    INVALID_INPUT,
    BUDGET_EXHAUSTED,
    NOT_READY,
    EXPIRED,
    ERROR
  }

  public record Failed(FailureKind kind, String reason) implements Reply {}

  private record Created(Detector detector) implements Command {}

  private record CreateFailed(Throwable cause) implements Command {}

  private record CreateProgress(String detail) implements Command {}

  private enum Retry implements Command {
    INSTANCE
  }

  private record Completed(ActorRef<Reply> replyTo, List<DetectionResult> results, Throwable failure)
      implements Command {}

  private record PlatesCompleted(ActorRef<Reply> replyTo, List<Optional<Plate>> plates, Throwable failure)
      implements Command {}

  private record SubscriberGone(ActorRef<WorkerStatus> subscriber) implements Command {}

  /** Restart backoff for crashes of the actor itself (not for model loading, see load-retry). */
  public static Behavior<Command> create(
      String provider, DetectorFactory factory, Duration retryMin, Duration retryMax) {
    return Behaviors.supervise(
            Behaviors.<Command>setup(
                ctx ->
                    Behaviors.withTimers(
                        timers -> new InferenceWorker(ctx, timers, provider, factory, retryMin, retryMax))))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
  }

  private final TimerScheduler<Command> timers;
  private final String provider;
  private final DetectorFactory factory;
  private final Duration retryMin;
  private final Duration retryMax;
  private final Set<ActorRef<WorkerStatus>> subscribers = new HashSet<>();
  private Detector detector;
  private WorkerStatus.State state = WorkerStatus.State.LOADING;
  private String detail = "creating detector";
  private Duration nextRetry;

  private InferenceWorker(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      String provider,
      DetectorFactory factory,
      Duration retryMin,
      Duration retryMax) {
    super(ctx);
    this.timers = timers;
    this.provider = provider;
    this.factory = factory;
    this.retryMin = retryMin;
    this.retryMax = retryMax;
    this.nextRetry = retryMin;
    ctx.getSystem().receptionist().tell(Receptionist.register(key(provider), ctx.getSelf()));
    startCreating();
  }

  private void startCreating() {
    var blocking = getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    ActorRef<Command> self = getContext().getSelf();
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return factory.create(detail -> self.tell(new CreateProgress(detail)));
                  } catch (Exception e) {
                    throw new CompletionException(e);
                  }
                },
                blocking),
            (d, e) -> e == null ? new Created(d) : new CreateFailed(unwrap(e)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Detect.class, this::onDetect)
        .onMessage(Completed.class, this::onCompleted)
        .onMessage(ReadPlates.class, this::onReadPlates)
        .onMessage(PlatesCompleted.class, m -> {
          m.replyTo().tell(m.failure() == null ? new PlatesRead(m.plates()) : failed(m.failure()));
          return this;
        })
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(SubscriberGone.class, m -> {
          subscribers.remove(m.subscriber());
          return this;
        })
        .onMessage(Created.class, this::onCreated)
        .onMessage(CreateFailed.class, this::onCreateFailed)
        .onMessage(CreateProgress.class, m -> {
          // A late report from a creation that has already ended must not hide READY or FAILED.
          if (state == WorkerStatus.State.LOADING) setState(WorkerStatus.State.LOADING, m.detail());
          return this;
        })
        .onMessageEquals(Retry.INSTANCE, () -> {
          setState(WorkerStatus.State.LOADING, "creating detector (retry)");
          startCreating();
          return this;
        })
        .onSignal(PreRestart.class, s -> closeDetector())
        .onSignal(PostStop.class, s -> closeDetector())
        .build();
  }

  private Behavior<Command> onDetect(Detect m) {
    if (state != WorkerStatus.State.READY) {
      m.replyTo().tell(new Failed(FailureKind.NOT_READY, provider + " worker not ready: " + detail));
      return this;
    }
    List<ImageInput> images = m.images().stream().map(ImageInput::encoded).toList();
    try {
      getContext().pipeToSelf(detector.detect(images, m.options()), (r, e) -> new Completed(m.replyTo(), r, e));
    } catch (RuntimeException e) {
      // A detector that throws instead of failing its stage is broken: answer, then let
      // supervision restart this worker with a fresh detector.
      m.replyTo().tell(new Failed(FailureKind.ERROR, provider + " detector crashed: " + e));
      throw e;
    }
    return this;
  }

  private Behavior<Command> onReadPlates(ReadPlates m) {
    if (state != WorkerStatus.State.READY) {
      m.replyTo().tell(new Failed(FailureKind.NOT_READY, provider + " worker not ready: " + detail));
      return this;
    }
    List<ImageInput> crops = m.crops().stream().map(ImageInput::encoded).toList();
    try {
      getContext().pipeToSelf(detector.readPlates(crops), (r, e) -> new PlatesCompleted(m.replyTo(), r, e));
    } catch (RuntimeException e) {
      m.replyTo().tell(new Failed(FailureKind.ERROR, provider + " detector crashed: " + e));
      throw e;
    }
    return this;
  }

  private Behavior<Command> onCompleted(Completed m) {
    m.replyTo().tell(m.failure() == null ? new Detected(m.results()) : failed(m.failure()));
    return this;
  }

  private static Failed failed(Throwable failure) {
    Throwable cause = unwrap(failure);
    FailureKind kind =
        cause instanceof InvalidImageException ? FailureKind.INVALID_INPUT
            : cause instanceof BudgetExhaustedException ? FailureKind.BUDGET_EXHAUSTED
            : cause instanceof FrameExpiredException ? FailureKind.EXPIRED
            : FailureKind.ERROR;
    String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    return new Failed(kind, reason);
  }

  private Behavior<Command> onSubscribe(Subscribe m) {
    if (subscribers.add(m.subscriber())) getContext().watchWith(m.subscriber(), new SubscriberGone(m.subscriber()));
    m.subscriber().tell(status());
    return this;
  }

  private Behavior<Command> onCreated(Created m) {
    detector = m.detector();
    nextRetry = retryMin;
    getContext().getLog().info("{} worker ready: {}", provider, detector.modelId());
    setState(WorkerStatus.State.READY, detector.modelId());
    return this;
  }

  private Behavior<Command> onCreateFailed(CreateFailed m) {
    Duration wait = nextRetry;
    nextRetry = nextRetry.multipliedBy(2).compareTo(retryMax) > 0 ? retryMax : nextRetry.multipliedBy(2);
    String reason = m.cause().getMessage() == null ? m.cause().toString() : m.cause().getMessage();
    getContext().getLog().error("{} worker cannot start, next attempt in {}: {}", provider, wait, reason);
    setState(WorkerStatus.State.FAILED, reason + " (next attempt in " + wait.toSeconds() + " s)");
    timers.startSingleTimer(Retry.INSTANCE, wait);
    return this;
  }

  private void setState(WorkerStatus.State s, String d) {
    state = s;
    detail = d;
    WorkerStatus status = status();
    subscribers.forEach(sub -> sub.tell(status));
  }

  private WorkerStatus status() {
    int capacity = state == WorkerStatus.State.READY ? detector.capacity() : 0;
    return new WorkerStatus(getContext().getSelf(), provider, state, detail, capacity);
  }

  private Behavior<Command> closeDetector() {
    if (detector != null) {
      try {
        detector.close();
      } catch (RuntimeException e) {
        getContext().getLog().warn("closing {} detector failed", provider, e);
      }
      detector = null;
    }
    return this;
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) e = e.getCause();
    return e;
  }
}
