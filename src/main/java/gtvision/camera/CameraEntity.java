package gtvision.camera;

import gtvision.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One camera of the fleet: a sharded, event-sourced entity whose id is the camera id. Commands are
 * validated here and answered with {@link Accepted} or {@link Rejected}; nothing throws.
 */
public final class CameraEntity
    extends EventSourcedBehaviorWithEnforcedReplies<CameraEntity.Command, CameraEntity.Event, CameraEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Camera");
  /** Bounds an event's size: a frame with more objects than this is not a plausible scene. */
  public static final int MAX_DETECTIONS_PER_FRAME = 300;

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  /** A command from a client of the camera: always answered. */
  public sealed interface ClientCommand extends Command {
    ActorRef<Reply> replyTo();
  }

  /**
   * What the camera's own stream supervisor (a child of this entity) reports; never answered. Stats
   * are kept in memory and persisted at a low rate; connection changes are persisted when they happen.
   */
  public sealed interface StreamReport extends Command {}

  public record ReportStreamConnected(String detail) implements StreamReport {}

  public record ReportFirstFrame(int width, int height, Instant capturedAt) implements StreamReport {}

  public record ReportStreamLost(String reason) implements StreamReport {}

  /**
   * Frames counted since the previous report: received, answered by the analyser, skipped by it
   * (detectors busy) and failed; the rates the camera delivered and the analyser answered; the newest
   * damaged-frame error and analysis failure since then (null: none); {@code stalled}: connected, but no
   * frame for three sample intervals plus the read timeout.
   */
  public record ReportStreamStats(
      long framesSeen, long framesAnalysed, long framesSkipped, long framesFailed, double measuredFps,
      double analysedFps, Instant lastFrameAt, String skippedFrameError, String analysisError, boolean stalled)
      implements StreamReport {}

  /**
   * What the analyser found in one frame of the camera's stream; only frames with detections are sent.
   * {@code evidenceKey} names the frame's JPEG in the evidence store (null when none was stored).
   */
  public record ReportFrameAnalysed(
      long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, String evidenceKey)
      implements StreamReport {
    public ReportFrameAnalysed {
      detections = List.copyOf(detections);
    }
  }

  /** The entity's stream child stopped (watched): expected after a stop, otherwise it is started again. */
  record StreamStopped(ActorRef<Void> stream) implements Command {}

  /** Sent to itself a while after its stream child stopped unexpectedly. */
  enum RestartStream implements Command {
    INSTANCE
  }

  /**
   * Sent to itself by a camera that is not enabled: it leaves memory once nothing changed it for the
   * idle time. Never answered; never crosses the network.
   */
  enum PassivateIfIdle implements Command {
    INSTANCE
  }

  public record Register(CameraSpec spec, ActorRef<Reply> replyTo) implements ClientCommand {}

  public record Update(CameraSpec spec, ActorRef<Reply> replyTo) implements ClientCommand {}

  public record Enable(ActorRef<Reply> replyTo) implements ClientCommand {}

  public record Disable(ActorRef<Reply> replyTo) implements ClientCommand {}

  public record Remove(ActorRef<Reply> replyTo) implements ClientCommand {}

  public record GetState(ActorRef<Reply> replyTo) implements ClientCommand {}

  /**
   * What the analyser found in one frame of this camera; only frames with detections are recorded.
   * {@code evidenceKey} names the frame's JPEG in the evidence store (null when none was stored).
   */
  public record RecordDetections(
      long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, String evidenceKey,
      ActorRef<Reply> replyTo)
      implements ClientCommand {

    public RecordDetections(
        long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, ActorRef<Reply> replyTo) {
      this(frameSequence, capturedAt, provider, detections, null, replyTo);
    }
  }

  /** Detections of one frame that an external producer sent (bulk ingest). */
  public record DetectionGroup(long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections)
      implements CborSerializable {
    public DetectionGroup {
      detections = List.copyOf(detections);
    }
  }

  /**
   * Bulk ingest: every group becomes one {@link DetectionsRecorded}, all persisted in one atomic write,
   * answered once durable. A camera removed less than {@code removalGrace} ago still takes the write:
   * the request was validated while it existed, and refusing one camera of a request whose other cameras
   * already wrote would break the request's all-or-nothing.
   */
  public record IngestDetections(List<DetectionGroup> groups, Duration removalGrace, ActorRef<Reply> replyTo)
      implements ClientCommand {
    public IngestDetections {
      groups = List.copyOf(groups);
    }

    public IngestDetections(List<DetectionGroup> groups, ActorRef<Reply> replyTo) {
      this(groups, Duration.ZERO, replyTo);
    }
  }

  // ---- replies ----

  public sealed interface Reply extends CborSerializable {}

  public record Accepted(State state) implements Reply {}

  public enum RejectionKind {
    INVALID,
    NOT_FOUND,
    CONFLICT
  }

  public record Rejected(RejectionKind kind, String field, String message) implements Reply {}

  // ---- events: each carries what the read side needs without replaying the entity ----

  public sealed interface Event extends CborSerializable {
    String cameraId();

    Instant at();
  }

  public record Registered(String cameraId, CameraConfig config, Instant at) implements Event {}

  public record Updated(String cameraId, CameraConfig config, Instant at) implements Event {}

  public record Enabled(String cameraId, Instant at) implements Event {}

  public record Disabled(String cameraId, Instant at) implements Event {}

  public record Removed(String cameraId, Instant at) implements Event {}

  /**
   * Detections of one analysed frame, with what the detections read side needs to index them.
   * {@code evidenceKey} (the frame's JPEG in the evidence store) is null for events written before it
   * existed, for ingested detections and when the store failed.
   */
  public record DetectionsRecorded(
      String cameraId, long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, Instant at,
      String evidenceKey)
      implements Event {

    public DetectionsRecorded(
        String cameraId, long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, Instant at) {
      this(cameraId, frameSequence, capturedAt, provider, detections, at, null);
    }
  }

  /** Told about detections once they are durable (the live feed); must not block. */
  @FunctionalInterface
  public interface DetectionsListener {
    DetectionsListener NONE = events -> {};

    void persisted(List<DetectionsRecorded> events);
  }

  /** The camera's stream connected (after enable, a restart or a loss). */
  public record StreamConnected(String cameraId, String detail, Instant at) implements Event {}

  /** The first frame after a connect. */
  public record FirstFrame(String cameraId, int width, int height, Instant capturedAt, Instant at) implements Event {}

  /** The stream failed or ended; the reason has the URL's password masked. */
  public record StreamLost(String cameraId, String reason, Instant at) implements Event {}

  /**
   * Frames counted since the previous record, persisted at most every stats-persist-interval. The fields
   * after {@code at} came later: 0 / null in events written before them.
   */
  public record StreamStatsRecorded(
      String cameraId, long framesSeen, long framesAnalysed, double measuredFps, Instant lastFrameAt, Instant at,
      long framesSkipped, long framesFailed, double analysedFps, String lastAnalysisError)
      implements Event {}

  // ---- state ----

  public enum Status {
    /** Never registered (or the entity is asleep before its first command). */
    UNKNOWN,
    REGISTERED,
    ENABLED,
    DISABLED,
    REMOVED
  }

  /**
   * {@code lastFrameSequence} is the highest frame number recorded with detections (0: none yet, and in
   * snapshots written before it existed); the camera's stream numbers its frames after it.
   */
  public record State(
      String cameraId,
      CameraConfig config,
      Status status,
      StreamHealth health,
      CameraCounters counters,
      List<RecordedDetection> lastDetections,
      Instant createdAt,
      Instant updatedAt,
      long lastFrameSequence)
      implements CborSerializable {

    public State {
      lastDetections = List.copyOf(lastDetections);
    }

    static State empty(String cameraId) {
      return new State(cameraId, null, Status.UNKNOWN, StreamHealth.IDLE, CameraCounters.ZERO, List.of(), null, null, 0);
    }

    /** The number of the camera's next frame: after every frame recorded so far. */
    long nextFrameSequence() {
      return lastFrameSequence + 1;
    }

    /** Registered and not removed: the camera exists for the API. */
    public boolean exists() {
      return status != Status.UNKNOWN && status != Status.REMOVED;
    }

    public boolean enabled() {
      return status == Status.ENABLED;
    }

    State registered(Registered e) {
      // A camera registered again after removal starts afresh, except for its frame numbers: evidence
      // frames of the earlier registration may still be stored under the same camera id.
      return new State(cameraId, e.config(), Status.REGISTERED, StreamHealth.IDLE, CameraCounters.ZERO, List.of(), e.at(),
          e.at(), lastFrameSequence);
    }

    State withConfig(CameraConfig newConfig, Instant at) {
      return new State(cameraId, newConfig, status, health, counters, lastDetections, createdAt, at, lastFrameSequence);
    }

    State withStatus(Status newStatus, Instant at) {
      return new State(cameraId, config, newStatus, health, counters, lastDetections, createdAt, at, lastFrameSequence);
    }

    State withHealth(StreamHealth newHealth) {
      return new State(cameraId, config, status, newHealth, counters, lastDetections, createdAt, updatedAt,
          lastFrameSequence);
    }

    State withStats(long framesSeen, long framesAnalysed, long framesSkipped, long framesFailed, double measuredFps,
        double analysedFps, Instant lastFrameAt, String analysisError) {
      CameraCounters c = counters.plusFrames(framesSeen, framesAnalysed, framesSkipped, framesFailed, analysedFps,
          analysisError);
      StreamHealth h = new StreamHealth(health.state(), measuredFps,
          lastFrameAt == null ? health.lastFrameAt() : lastFrameAt, health.reconnects(), health.lastError());
      return new State(cameraId, config, status, h, c, lastDetections, createdAt, updatedAt, lastFrameSequence);
    }

    State withStats(StreamStatsRecorded e) {
      return withStats(e.framesSeen(), e.framesAnalysed(), e.framesSkipped(), e.framesFailed(), e.measuredFps(),
          e.analysedFps(), e.lastFrameAt(), e.lastAnalysisError());
    }

    /** Not streaming (any more): no rate is measured. */
    State withoutRates(StreamHealth newHealth) {
      return new State(cameraId, config, status, newHealth, counters.withoutRate(), lastDetections, createdAt, updatedAt,
          lastFrameSequence);
    }

    State withDetections(DetectionsRecorded e) {
      CameraCounters c = counters.plusDetections(e.detections().size());
      // The highest, not the newest: ingested detections carry their producer's numbers, in any order.
      return new State(cameraId, config, status, health, c, e.detections(), createdAt, updatedAt,
          Math.max(lastFrameSequence, e.frameSequence()));
    }
  }

  // ---- wiring ----

  /**
   * What an entity works with. {@code streams} runs the stream of an enabled camera (empty: the entity
   * never streams, as in tests of the command and event logic); {@code listener} hears of detections once
   * they are durable; a camera that is not enabled passivates after {@code idleAfter} without a change
   * (sharded entities only); {@code credentials} seals the credentials of source URLs in events and opens
   * them to start the stream.
   */
  public record Dependencies(
      CameraMetrics metrics, Clock clock, Optional<StreamRunner> streams, DetectionsListener listener, int snapshotEvery,
      Duration idleAfter, CameraCredentials credentials) {

    /** A node's cameras: the node's settings ({@code gtv.camera.*}) and the system clock. */
    public static Dependencies of(
        ActorSystem<?> system, CameraMetrics metrics, StreamRunner streams, DetectionsListener listener) {
      var config = system.settings().config();
      return new Dependencies(metrics, Clock.systemUTC(), Optional.of(streams), listener,
          config.getInt("gtv.camera.snapshot-every"), config.getDuration("gtv.camera.passivate-idle-after"),
          CameraCredentials.of(system));
    }

    /** An entity that never streams and tells nobody about detections; its credentials key lives in memory. */
    public static Dependencies withoutStreams(CameraMetrics metrics, Clock clock, int snapshotEvery) {
      return new Dependencies(metrics, clock, Optional.empty(), DetectionsListener.NONE, snapshotEvery, Duration.ZERO,
          new CameraCredentials(gtvision.secrets.SecretBox.ephemeral()));
    }

    public Dependencies withStreams(StreamRunner runner) {
      return new Dependencies(metrics, clock, Optional.of(runner), listener, snapshotEvery, idleAfter, credentials);
    }

    public Dependencies withCredentials(CameraCredentials newCredentials) {
      return new Dependencies(metrics, clock, streams, listener, snapshotEvery, idleAfter, newCredentials);
    }
  }

  /** Registers the sharded entity type on this node. */
  public static void init(ActorSystem<?> system, Dependencies deps) {
    ClusterSharding.get(system)
        .init(Entity.of(TYPE_KEY, ctx -> Behaviors.<Command>setup(
            actorContext -> new CameraEntity(ctx.getEntityId(), deps, actorContext, Optional.of(ctx.getShard())))));
  }

  /** An entity outside sharding (tests): it never passivates by itself. */
  public static Behavior<Command> create(String cameraId, Dependencies deps) {
    return Behaviors.setup(ctx -> new CameraEntity(cameraId, deps, ctx, Optional.empty()));
  }

  private final String cameraId;
  private final Dependencies deps;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private Cancellable idleTimer;
  private long lastChangeNanos = System.nanoTime();
  private final LiveStreamStats live;
  private final StreamChild stream;

  private CameraEntity(String cameraId, Dependencies deps, ActorContext<Command> context,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    super(
        PersistenceId.of(TYPE_KEY.name(), cameraId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.1));
    this.cameraId = cameraId;
    this.deps = deps;
    this.clock = deps.clock();
    this.context = context;
    this.shard = shard;
    this.live = new LiveStreamStats(clock.instant());
    this.stream = new StreamChild(cameraId, context, deps.streams(), live, deps.credentials());
  }

  @Override
  public State emptyState() {
    return State.empty(cameraId);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(CameraTags.forCamera(cameraId));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Keep two snapshots and delete older ones; events stay, projections read them.
    return RetentionCriteria.snapshotEvery(deps.snapshotEvery(), 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    var builder = newCommandHandlerWithReplyBuilder();
    builder.forState(State::exists)
        .onCommand(Register.class, this::onRegisterExisting)
        .onCommand(Update.class, this::onUpdate)
        .onCommand(Enable.class, this::onEnable)
        .onCommand(Disable.class, this::onDisable)
        .onCommand(Remove.class, this::onRemove)
        .onCommand(GetState.class, this::onGetState)
        .onCommand(RecordDetections.class, this::onRecordDetections)
        .onCommand(ReportFrameAnalysed.class, this::onFrameAnalysed);
    // Not registered, removed, or a command that does not depend on it.
    builder.forAnyState()
        .onCommand(Register.class, this::onRegister)
        .onCommand(IngestDetections.class, this::onIngestDetections)
        .onCommand(ReportStreamConnected.class, this::onStreamConnected)
        .onCommand(ReportFirstFrame.class, this::onFirstFrame)
        .onCommand(ReportStreamLost.class, this::onStreamLost)
        .onCommand(ReportStreamStats.class, this::onStreamStats)
        .onCommand(ReportFrameAnalysed.class, (state, cmd) -> Effect().noReply())
        .onCommand(StreamStopped.class, this::onStreamStopped)
        .onCommand(RestartStream.class, (state, cmd) -> {
          stream.sync(state);
          return Effect().noReply();
        })
        .onCommand(PassivateIfIdle.class, this::onPassivateIfIdle)
        .onCommand(ClientCommand.class, this::notFound);
    return builder.build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        // A pending idle check would only become a dead letter once this incarnation is gone.
        .onSignal(PostStop.class, (state, signal) -> {
          if (idleTimer != null) idleTimer.cancel();
        })
        .build();
  }

  private void onRecovered(State state) {
    // Recovery after a restart of this behaviour: the restart stopped the stream child, so whatever this
    // instance remembers of it is stale (stopping a stopped child is harmless); the stream starts afresh.
    stream.stop();
    stream.sync(state);
    // Also a camera woken only to be read, or restarted by remember-entities: it leaves again when idle.
    scheduleIdlePassivation(state);
  }

  /** The stream child stopped without being asked (it failed): the camera must not look connected. */
  private ReplyEffect<Event, State> onStreamStopped(State state, StreamStopped cmd) {
    if (!stream.isCurrent(cmd.stream())) return Effect().noReply();
    stream.forget();
    if (!state.enabled()) return Effect().noReply();
    Duration delay = deps.streams().map(StreamRunner::respawnDelay).orElse(Duration.ZERO);
    context.getLog().warn("Camera {} stream stopped unexpectedly, starting it again in {} ms", cameraId, delay.toMillis());
    context.scheduleOnce(delay, context.getSelf(), RestartStream.INSTANCE);
    return Effect().persist(new StreamLost(cameraId, "stream stopped unexpectedly", clock.instant())).thenNoReply();
  }

  /** Removed cameras leave memory at once (and the remembered entities, so a restart does not wake them). */
  private void passivate() {
    shard.ifPresent(s -> s.tell(new ClusterSharding.Passivate<>(context.getSelf())));
  }

  /**
   * A camera that is not enabled leaves memory (and the remembered entities) once nothing changed it for
   * {@code idleAfter}; an enabled one stays, its stream runs. Waiting rather than leaving at once spares a
   * camera that is disabled and enabled again soon (an operator's toggle) a stop, a recovery from the
   * journal and two remember-entities writes.
   */
  private void scheduleIdlePassivation(State state) {
    lastChangeNanos = System.nanoTime();
    if (idleTimer != null) idleTimer.cancel();
    idleTimer = state.enabled() || shard.isEmpty()
        ? null
        : context.scheduleOnce(deps.idleAfter(), context.getSelf(), PassivateIfIdle.INSTANCE);
  }

  private ReplyEffect<Event, State> onPassivateIfIdle(State state, PassivateIfIdle cmd) {
    // A timer cancelled too late may still arrive: only the latest, after a quiet idle time, counts.
    boolean quiet = System.nanoTime() - lastChangeNanos >= deps.idleAfter().toNanos();
    if (!state.enabled() && quiet) passivate();
    return Effect().noReply();
  }

  private boolean streaming(State state) {
    return state.enabled() && stream.running();
  }

  private ReplyEffect<Event, State> onStreamConnected(State state, ReportStreamConnected cmd) {
    if (!streaming(state)) return Effect().noReply();
    live.reset();
    return Effect().persist(new StreamConnected(cameraId, cmd.detail(), clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onFirstFrame(State state, ReportFirstFrame cmd) {
    if (!streaming(state)) return Effect().noReply();
    live.firstFrame(cmd.capturedAt());
    return Effect().persist(new FirstFrame(cameraId, cmd.width(), cmd.height(), cmd.capturedAt(), clock.instant()))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onStreamLost(State state, ReportStreamLost cmd) {
    if (!streaming(state)) return Effect().noReply();
    live.reset();
    // A camera that stays down fails the same way on every retry: one event per change, not per retry.
    if (StreamHealth.LOST.equals(state.health().state()) && cmd.reason().equals(state.health().lastError())) {
      return Effect().noReply();
    }
    return Effect().persist(new StreamLost(cameraId, cmd.reason(), clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onStreamStats(State state, ReportStreamStats cmd) {
    if (!streaming(state)) return Effect().noReply();
    live.add(cmd);
    StreamStatsRecorded due = live.takeDue(cameraId, clock.instant(), deps.streams().get().statsPersistInterval());
    return due == null ? Effect().noReply() : Effect().persist(due).thenNoReply();
  }

  private ReplyEffect<Event, State> onFrameAnalysed(State state, ReportFrameAnalysed cmd) {
    Optional<String> invalid = invalidDetections(cmd.detections());
    if (invalid.isPresent()) {
      context.getLog().warn("Camera {} frame {} not recorded: {}", cameraId, cmd.frameSequence(), invalid.get());
      return Effect().noReply();
    }
    var event = new DetectionsRecorded(
        cameraId, cmd.frameSequence(), cmd.capturedAt(), cmd.provider(), cmd.detections(), clock.instant(),
        cmd.evidenceKey());
    long started = System.nanoTime();
    return Effect().persist(event)
        .thenRun(s -> deps.metrics().persisted(System.nanoTime() - started))
        .thenRun(s -> deps.listener().persisted(List.of(event)))
        .thenNoReply();
  }

  /** The persisted state plus the stats reported since they were last persisted. */
  private State withLiveStats(State state) {
    // An enabled camera whose credentials do not open has no stream: it says why.
    if (state.enabled() && stream.failure() != null) return state.withoutRates(state.health().lost(stream.failure()));
    return streaming(state) ? live.applyTo(state) : state;
  }

  private ReplyEffect<Event, State> onRegisterExisting(State state, Register cmd) {
    return Effect()
        .reply(cmd.replyTo(), new Rejected(RejectionKind.CONFLICT, "id", "camera " + cameraId + " already exists"));
  }

  private ReplyEffect<Event, State> onRegister(State state, Register cmd) {
    Optional<CameraValidator.Problem> badId = CameraValidator.validateId(cameraId);
    if (badId.isPresent()) return reject(cmd, RejectionKind.INVALID, badId.get());
    CameraValidator.Result result = CameraValidator.validate(cmd.spec());
    if (result.problem() != null) return reject(cmd, RejectionKind.INVALID, result.problem());
    CameraCredentials.Sealed sealed = deps.credentials().forRegister(cameraId, result.config());
    if (sealed.problem() != null) return reject(cmd, RejectionKind.INVALID, sealed.problem());

    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    events.add(new Registered(cameraId, sealed.config(), now));
    if (Boolean.TRUE.equals(cmd.spec().enabled())) events.add(new Enabled(cameraId, now));
    return persist(state, events, cmd);
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update cmd) {
    CameraValidator.Result result = CameraValidator.validate(cmd.spec());
    if (result.problem() != null) return reject(cmd, RejectionKind.INVALID, result.problem());
    CameraCredentials.Sealed sealed = deps.credentials().forUpdate(cameraId, result.config(), state.config());
    if (sealed.problem() != null) return reject(cmd, RejectionKind.INVALID, sealed.problem());

    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    if (!sealed.config().equals(state.config())) events.add(new Updated(cameraId, sealed.config(), now));
    Boolean wantEnabled = cmd.spec().enabled();
    if (Boolean.TRUE.equals(wantEnabled) && !state.enabled()) events.add(new Enabled(cameraId, now));
    if (Boolean.FALSE.equals(wantEnabled) && state.enabled()) events.add(new Disabled(cameraId, now));
    return persist(state, events, cmd);
  }

  private ReplyEffect<Event, State> onEnable(State state, Enable cmd) {
    if (state.enabled()) return Effect().reply(cmd.replyTo(), new Accepted(withLiveStats(state)));
    return persist(state, List.of(new Enabled(cameraId, clock.instant())), cmd);
  }

  private ReplyEffect<Event, State> onDisable(State state, Disable cmd) {
    if (state.status() == Status.DISABLED) return Effect().reply(cmd.replyTo(), new Accepted(state));
    return persist(state, List.of(new Disabled(cameraId, clock.instant())), cmd);
  }

  private ReplyEffect<Event, State> onRemove(State state, Remove cmd) {
    return persist(state, List.of(new Removed(cameraId, clock.instant())), cmd);
  }

  private ReplyEffect<Event, State> onGetState(State state, GetState cmd) {
    return Effect().reply(cmd.replyTo(), new Accepted(withLiveStats(state)));
  }

  private ReplyEffect<Event, State> onRecordDetections(State state, RecordDetections cmd) {
    Optional<String> invalid = invalidDetections(cmd.detections());
    if (invalid.isPresent()) {
      return Effect().reply(cmd.replyTo(), new Rejected(RejectionKind.INVALID, "detections", invalid.get()));
    }
    var event = new DetectionsRecorded(
        cameraId, cmd.frameSequence(), cmd.capturedAt(), cmd.provider(), cmd.detections(), clock.instant(),
        cmd.evidenceKey());
    return persist(state, List.of(event), cmd);
  }

  private static Optional<String> invalidDetections(List<RecordedDetection> detections) {
    if (detections.isEmpty()) return Optional.of("no detections to record");
    if (detections.size() > MAX_DETECTIONS_PER_FRAME) {
      return Optional.of("at most " + MAX_DETECTIONS_PER_FRAME + " detections per frame");
    }
    return Optional.empty();
  }

  private ReplyEffect<Event, State> onIngestDetections(State state, IngestDetections cmd) {
    boolean removedWithinGrace = state.status() == Status.REMOVED
        && clock.instant().isBefore(state.updatedAt().plus(cmd.removalGrace()));
    if (!state.exists() && !removedWithinGrace) return notFound(state, cmd);
    // The HTTP layer validated every item; these checks keep the entity's own invariants.
    for (DetectionGroup group : cmd.groups()) {
      if (group.detections().isEmpty() || group.detections().size() > MAX_DETECTIONS_PER_FRAME) {
        return Effect().reply(cmd.replyTo(), new Rejected(RejectionKind.INVALID, "detections",
            "each frame needs 1.." + MAX_DETECTIONS_PER_FRAME + " detections"));
      }
    }
    Instant now = clock.instant();
    List<Event> events = cmd.groups().stream()
        .<Event>map(g -> new DetectionsRecorded(cameraId, g.frameSequence(), g.capturedAt(), g.provider(), g.detections(), now))
        .toList();
    return persist(state, events, cmd);
  }

  private ReplyEffect<Event, State> persist(State state, List<Event> events, ClientCommand cmd) {
    if (events.isEmpty()) return Effect().reply(cmd.replyTo(), new Accepted(withLiveStats(state)));
    long started = System.nanoTime();
    boolean lifecycle = events.stream().anyMatch(e -> !(e instanceof DetectionsRecorded));
    return Effect()
        .persist(events)
        .thenRun(s -> deps.metrics().persisted(System.nanoTime() - started))
        .thenRun(s -> {
          if (!lifecycle) deps.listener().persisted(events.stream().map(DetectionsRecorded.class::cast).toList());
        })
        .thenRun(s -> {
          if (lifecycle) stream.sync(s);
        })
        .thenRun(s -> {
          if (events.stream().anyMatch(e -> e instanceof Removed)) {
            passivate();
          } else if (lifecycle) {
            scheduleIdlePassivation(s);
          }
        })
        .thenReply(cmd.replyTo(), s -> new Accepted(withLiveStats(s)));
  }

  private ReplyEffect<Event, State> notFound(State state, ClientCommand cmd) {
    String message =
        state.status() == Status.REMOVED ? "camera " + cameraId + " was removed" : "camera " + cameraId + " not found";
    return Effect().reply(cmd.replyTo(), new Rejected(RejectionKind.NOT_FOUND, "id", message));
  }

  private ReplyEffect<Event, State> reject(ClientCommand cmd, RejectionKind kind, CameraValidator.Problem problem) {
    return Effect().reply(cmd.replyTo(), new Rejected(kind, problem.field(), problem.message()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Registered.class, (state, e) -> state.registered(e))
        .onEvent(Updated.class, (state, e) -> state.withConfig(e.config(), e.at()))
        .onEvent(Enabled.class, (state, e) ->
            state.withStatus(Status.ENABLED, e.at()).withHealth(state.health().inState(StreamHealth.CONNECTING)))
        .onEvent(Disabled.class, (state, e) ->
            state.withStatus(Status.DISABLED, e.at()).withoutRates(state.health().inState(StreamHealth.IDLE_STATE)))
        .onEvent(Removed.class, (state, e) ->
            state.withStatus(Status.REMOVED, e.at()).withoutRates(state.health().inState(StreamHealth.IDLE_STATE)))
        .onEvent(StreamConnected.class, (state, e) -> state.withHealth(state.health().connected()))
        .onEvent(FirstFrame.class, (state, e) -> state.withHealth(state.health().frameAt(e.capturedAt())))
        .onEvent(StreamLost.class, (state, e) -> state.withoutRates(state.health().lost(e.reason())))
        .onEvent(StreamStatsRecorded.class, State::withStats)
        .onEvent(DetectionsRecorded.class, State::withDetections)
        .build();
  }
}
