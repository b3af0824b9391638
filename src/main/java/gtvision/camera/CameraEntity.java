package gtvision.camera;

import gtvision.CborSerializable;
import gtvision.SourceUrls;
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
   * Frames received and analysed since the previous report, the frame rate the camera delivered, and the
   * error of the newest frame skipped as damaged since then (null: none).
   */
  public record ReportStreamStats(
      long framesSeen, long framesAnalysed, double measuredFps, Instant lastFrameAt, String skippedFrameError)
      implements StreamReport {}

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

  /** Frames received and analysed since the previous record, persisted at most every stats-persist-interval. */
  public record StreamStatsRecorded(
      String cameraId, long framesSeen, long framesAnalysed, double measuredFps, Instant lastFrameAt, Instant at)
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

    State withStats(long framesSeen, long framesAnalysed, double measuredFps, Instant lastFrameAt) {
      CameraCounters c = new CameraCounters(counters.framesSeen() + framesSeen, counters.framesAnalysed() + framesAnalysed,
          counters.detections());
      StreamHealth h = new StreamHealth(health.state(), measuredFps,
          lastFrameAt == null ? health.lastFrameAt() : lastFrameAt, health.reconnects(), health.lastError());
      return new State(cameraId, config, status, h, c, lastDetections, createdAt, updatedAt, lastFrameSequence);
    }

    State withDetections(DetectionsRecorded e) {
      CameraCounters c = new CameraCounters(counters.framesSeen(), counters.framesAnalysed(),
          counters.detections() + e.detections().size());
      // The highest, not the newest: ingested detections carry their producer's numbers, in any order.
      return new State(cameraId, config, status, health, c, e.detections(), createdAt, updatedAt,
          Math.max(lastFrameSequence, e.frameSequence()));
    }
  }

  // ---- wiring ----

  /** Registers the sharded entity type on this node; enabled cameras run their streams with {@code ingest}. */
  public static void init(ActorSystem<?> system, CameraMetrics metrics, StreamRunner ingest) {
    init(system, metrics, ingest, DetectionsListener.NONE);
  }

  /** The same, telling {@code listener} about every detection event once it is persisted. */
  public static void init(ActorSystem<?> system, CameraMetrics metrics, StreamRunner ingest, DetectionsListener listener) {
    int snapshotEvery = system.settings().config().getInt("gtv.camera.snapshot-every");
    Duration idleAfter = system.settings().config().getDuration("gtv.camera.passivate-idle-after");
    ClusterSharding.get(system)
        .init(
            Entity.of(
                TYPE_KEY,
                ctx -> Behaviors.<Command>setup(actorContext -> new CameraEntity(
                    ctx.getEntityId(), snapshotEvery, metrics, Clock.systemUTC(), actorContext, ingest,
                    Optional.of(ctx.getShard()), listener, idleAfter))));
  }


  /** An entity that never runs streams (unit tests of the command and event logic). */
  public static Behavior<Command> create(
      String cameraId, int snapshotEvery, CameraMetrics metrics, Clock clock) {
    return Behaviors.setup(ctx -> new CameraEntity(
        cameraId, snapshotEvery, metrics, clock, ctx, null, Optional.empty(), DetectionsListener.NONE, Duration.ZERO));
  }

  /** An entity outside sharding that runs its stream with {@code ingest} when enabled. */
  public static Behavior<Command> create(
      String cameraId, int snapshotEvery, CameraMetrics metrics, Clock clock, StreamRunner ingest) {
    return Behaviors.setup(ctx -> new CameraEntity(
        cameraId, snapshotEvery, metrics, clock, ctx, ingest, Optional.empty(), DetectionsListener.NONE, Duration.ZERO));
  }

  private final String cameraId;
  private final int snapshotEvery;
  private final CameraMetrics metrics;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final StreamRunner ingest;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final DetectionsListener listener;
  // A camera that is not enabled passivates after this long without a change (see scheduleIdlePassivation).
  private final Duration idleAfter;
  private Cancellable idleTimer;
  private long lastChangeNanos = System.nanoTime();
  // The running stream (a child actor) and the configuration it runs with.
  private ActorRef<?> stream;
  private CameraConfig streamConfig;
  // Numbers the frames of every stream this incarnation runs: a stream replaced after a config change
  // may still have numbered frames whose detections are not recorded yet (on their way here, or
  // stored as evidence by an analysis that outlives the stream), so its successor goes on counting
  // instead of starting after the last recorded number.
  private final FrameSequence frameSequence = new FrameSequence(1);
  // Stats reported since the last StreamStatsRecorded: shown by GetState, persisted at a low rate.
  private long pendingSeen;
  private long pendingAnalysed;
  private double liveFps;
  private Instant liveLastFrameAt;
  // The newest damaged frame the stream skipped since the last loss: shown as health.lastError without
  // a reconnect (a loss, persisted, is newer and replaces it).
  private String liveFrameError;
  private Instant lastStatsPersisted;

  private CameraEntity(String cameraId, int snapshotEvery, CameraMetrics metrics, Clock clock,
      ActorContext<Command> context, StreamRunner ingest, Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      DetectionsListener listener, Duration idleAfter) {
    super(
        PersistenceId.of(TYPE_KEY.name(), cameraId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.1));
    this.cameraId = cameraId;
    this.snapshotEvery = snapshotEvery;
    this.metrics = metrics;
    this.clock = clock;
    this.context = context;
    this.ingest = ingest;
    this.shard = shard;
    this.listener = listener;
    this.idleAfter = idleAfter;
    this.lastStatsPersisted = clock.instant();
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
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Register.class, this::onRegister)
        .onCommand(Update.class, this::onUpdate)
        .onCommand(Enable.class, this::onEnable)
        .onCommand(Disable.class, this::onDisable)
        .onCommand(Remove.class, this::onRemove)
        .onCommand(GetState.class, this::onGetState)
        .onCommand(RecordDetections.class, this::onRecordDetections)
        .onCommand(IngestDetections.class, this::onIngestDetections)
        .onCommand(ReportStreamConnected.class, this::onStreamConnected)
        .onCommand(ReportFirstFrame.class, this::onFirstFrame)
        .onCommand(ReportStreamLost.class, this::onStreamLost)
        .onCommand(ReportStreamStats.class, this::onStreamStats)
        .onCommand(PassivateIfIdle.class, this::onPassivateIfIdle)
        .build();
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
    syncStream(state);
    // Also a camera woken only to be read, or restarted by remember-entities: it leaves again when idle.
    scheduleIdlePassivation(state);
  }

  /** Runs the stream exactly when the camera is enabled, with its current configuration. */
  private void syncStream(State state) {
    if (ingest == null) return;
    boolean wanted = state.enabled();
    if (stream != null && (!wanted || !state.config().equals(streamConfig))) {
      context.stop(stream);
      stream = null;
      streamConfig = null;
      liveFps = 0;
      liveFrameError = null;
    }
    if (wanted && stream == null) {
      // After a restart or a move to another node this incarnation starts after the highest recorded
      // number. A frame whose evidence was stored but whose detections were never persisted (a crash in
      // between) gets its number again: the orphan file is overwritten, and no detection points at it.
      frameSequence.skipTo(state.nextFrameSequence());
      stream = context.spawnAnonymous(ingest.stream(cameraId, state.config(), frameSequence, context.getSelf()));
      streamConfig = state.config();
    }
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
        : context.scheduleOnce(idleAfter, context.getSelf(), PassivateIfIdle.INSTANCE);
  }

  private ReplyEffect<Event, State> onPassivateIfIdle(State state, PassivateIfIdle cmd) {
    // A timer cancelled too late may still arrive: only the latest, after a quiet idle time, counts.
    boolean quiet = System.nanoTime() - lastChangeNanos >= idleAfter.toNanos();
    if (!state.enabled() && quiet) passivate();
    return Effect().noReply();
  }

  private boolean streaming(State state) {
    return state.enabled() && stream != null;
  }

  private ReplyEffect<Event, State> onStreamConnected(State state, ReportStreamConnected cmd) {
    if (!streaming(state)) return Effect().noReply();
    return Effect().persist(new StreamConnected(cameraId, cmd.detail(), clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onFirstFrame(State state, ReportFirstFrame cmd) {
    if (!streaming(state)) return Effect().noReply();
    liveLastFrameAt = cmd.capturedAt();
    return Effect().persist(new FirstFrame(cameraId, cmd.width(), cmd.height(), cmd.capturedAt(), clock.instant()))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onStreamLost(State state, ReportStreamLost cmd) {
    if (!streaming(state)) return Effect().noReply();
    liveFps = 0;
    liveFrameError = null;
    // A camera that stays down fails the same way on every retry: one event per change, not per retry.
    if (StreamHealth.LOST.equals(state.health().state()) && cmd.reason().equals(state.health().lastError())) {
      return Effect().noReply();
    }
    return Effect().persist(new StreamLost(cameraId, cmd.reason(), clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onStreamStats(State state, ReportStreamStats cmd) {
    if (!state.enabled()) return Effect().noReply();
    pendingSeen += cmd.framesSeen();
    pendingAnalysed += cmd.framesAnalysed();
    liveFps = cmd.measuredFps();
    if (cmd.lastFrameAt() != null) liveLastFrameAt = cmd.lastFrameAt();
    if (cmd.skippedFrameError() != null) liveFrameError = "frame skipped: " + SourceUrls.mask(cmd.skippedFrameError());
    Instant now = clock.instant();
    if (Duration.between(lastStatsPersisted, now).compareTo(ingest.statsPersistInterval()) < 0
        || (pendingSeen == 0 && pendingAnalysed == 0)) {
      return Effect().noReply();
    }
    var event = new StreamStatsRecorded(cameraId, pendingSeen, pendingAnalysed, liveFps, liveLastFrameAt, now);
    pendingSeen = 0;
    pendingAnalysed = 0;
    lastStatsPersisted = now;
    return Effect().persist(event).thenNoReply();
  }

  /** The persisted state plus the stats reported since they were last persisted. */
  private State withLiveStats(State state) {
    if (!streaming(state)) return state;
    StreamHealth h = state.health();
    double fps = StreamHealth.CONNECTED.equals(h.state()) ? liveFps : 0.0;
    Instant last = liveLastFrameAt != null ? liveLastFrameAt : h.lastFrameAt();
    State live = state.withStats(pendingSeen, pendingAnalysed, fps, last);
    if (liveFrameError == null) return live;
    StreamHealth lh = live.health();
    return live.withHealth(new StreamHealth(lh.state(), lh.measuredFps(), lh.lastFrameAt(), lh.reconnects(), liveFrameError));
  }

  private ReplyEffect<Event, State> onRegister(State state, Register cmd) {
    Optional<CameraValidator.Problem> badId = CameraValidator.validateId(cameraId);
    if (badId.isPresent()) return reject(cmd, RejectionKind.INVALID, badId.get());
    if (state.exists()) {
      return Effect()
          .reply(cmd.replyTo(), new Rejected(RejectionKind.CONFLICT, "id", "camera " + cameraId + " already exists"));
    }
    CameraValidator.Result result = CameraValidator.validate(cmd.spec());
    if (result.problem() != null) return reject(cmd, RejectionKind.INVALID, result.problem());

    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    events.add(new Registered(cameraId, result.config(), now));
    if (Boolean.TRUE.equals(cmd.spec().enabled())) events.add(new Enabled(cameraId, now));
    return persist(state, events, cmd);
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update cmd) {
    if (!state.exists()) return notFound(cmd, state);
    CameraValidator.Result result = CameraValidator.validate(cmd.spec());
    if (result.problem() != null) return reject(cmd, RejectionKind.INVALID, result.problem());

    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    if (!result.config().equals(state.config())) events.add(new Updated(cameraId, result.config(), now));
    Boolean wantEnabled = cmd.spec().enabled();
    if (Boolean.TRUE.equals(wantEnabled) && !state.enabled()) events.add(new Enabled(cameraId, now));
    if (Boolean.FALSE.equals(wantEnabled) && state.enabled()) events.add(new Disabled(cameraId, now));
    return persist(state, events, cmd);
  }

  private ReplyEffect<Event, State> onEnable(State state, Enable cmd) {
    if (!state.exists()) return notFound(cmd, state);
    if (state.enabled()) return Effect().reply(cmd.replyTo(), new Accepted(state));
    return persist(state, List.of(new Enabled(cameraId, clock.instant())), cmd);
  }

  private ReplyEffect<Event, State> onDisable(State state, Disable cmd) {
    if (!state.exists()) return notFound(cmd, state);
    if (state.status() == Status.DISABLED) return Effect().reply(cmd.replyTo(), new Accepted(state));
    return persist(state, List.of(new Disabled(cameraId, clock.instant())), cmd);
  }

  private ReplyEffect<Event, State> onRemove(State state, Remove cmd) {
    if (!state.exists()) return notFound(cmd, state);
    return persist(state, List.of(new Removed(cameraId, clock.instant())), cmd);
  }

  private ReplyEffect<Event, State> onGetState(State state, GetState cmd) {
    if (!state.exists()) return notFound(cmd, state);
    return Effect().reply(cmd.replyTo(), new Accepted(withLiveStats(state)));
  }

  private ReplyEffect<Event, State> onRecordDetections(State state, RecordDetections cmd) {
    if (!state.exists()) return notFound(cmd, state);
    if (cmd.detections().isEmpty()) {
      return Effect().reply(cmd.replyTo(), new Rejected(RejectionKind.INVALID, "detections", "no detections to record"));
    }
    if (cmd.detections().size() > MAX_DETECTIONS_PER_FRAME) {
      return Effect().reply(cmd.replyTo(), new Rejected(RejectionKind.INVALID, "detections",
          "at most " + MAX_DETECTIONS_PER_FRAME + " detections per frame"));
    }
    var event = new DetectionsRecorded(
        cameraId, cmd.frameSequence(), cmd.capturedAt(), cmd.provider(), cmd.detections(), clock.instant(),
        cmd.evidenceKey());
    return persist(state, List.of(event), cmd);
  }

  private ReplyEffect<Event, State> onIngestDetections(State state, IngestDetections cmd) {
    boolean removedWithinGrace = state.status() == Status.REMOVED
        && clock.instant().isBefore(state.updatedAt().plus(cmd.removalGrace()));
    if (!state.exists() && !removedWithinGrace) return notFound(cmd, state);
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
        .thenRun(s -> metrics.persisted(System.nanoTime() - started))
        .thenRun(s -> {
          if (!lifecycle) listener.persisted(events.stream().map(DetectionsRecorded.class::cast).toList());
        })
        .thenRun(s -> {
          if (lifecycle) syncStream(s);
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

  private ReplyEffect<Event, State> notFound(ClientCommand cmd, State state) {
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
            state.withStatus(Status.DISABLED, e.at()).withHealth(state.health().inState(StreamHealth.IDLE_STATE)))
        .onEvent(Removed.class, (state, e) ->
            state.withStatus(Status.REMOVED, e.at()).withHealth(state.health().inState(StreamHealth.IDLE_STATE)))
        .onEvent(StreamConnected.class, (state, e) -> state.withHealth(state.health().connected()))
        .onEvent(FirstFrame.class, (state, e) -> state.withHealth(state.health().frameAt(e.capturedAt())))
        .onEvent(StreamLost.class, (state, e) -> state.withHealth(state.health().lost(e.reason())))
        .onEvent(StreamStatsRecorded.class, (state, e) ->
            state.withStats(e.framesSeen(), e.framesAnalysed(), e.measuredFps(), e.lastFrameAt()))
        .onEvent(DetectionsRecorded.class, State::withDetections)
        .build();
  }
}
