package gtvision.camera;

import gtvision.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

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

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  public record Register(CameraSpec spec, ActorRef<Reply> replyTo) implements Command {}

  public record Update(CameraSpec spec, ActorRef<Reply> replyTo) implements Command {}

  public record Enable(ActorRef<Reply> replyTo) implements Command {}

  public record Disable(ActorRef<Reply> replyTo) implements Command {}

  public record Remove(ActorRef<Reply> replyTo) implements Command {}

  public record GetState(ActorRef<Reply> replyTo) implements Command {}

  /** What the analyser found in one frame of this camera; only frames with detections are recorded. */
  public record RecordDetections(
      long frameSequence, Instant capturedAt, String provider, List<Detection> detections, ActorRef<Reply> replyTo)
      implements Command {}

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

  /** Detections of one analysed frame, with what the detections read side needs to index them. */
  public record DetectionsRecorded(
      String cameraId, long frameSequence, Instant capturedAt, String provider, List<Detection> detections, Instant at)
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

  public record State(
      String cameraId,
      CameraConfig config,
      Status status,
      StreamHealth health,
      CameraCounters counters,
      List<Detection> lastDetections,
      Instant createdAt,
      Instant updatedAt)
      implements CborSerializable {

    public State {
      lastDetections = List.copyOf(lastDetections);
    }

    static State empty(String cameraId) {
      return new State(cameraId, null, Status.UNKNOWN, StreamHealth.IDLE, CameraCounters.ZERO, List.of(), null, null);
    }

    /** Registered and not removed: the camera exists for the API. */
    public boolean exists() {
      return status != Status.UNKNOWN && status != Status.REMOVED;
    }

    public boolean enabled() {
      return status == Status.ENABLED;
    }

    State registered(Registered e) {
      // A camera registered again after removal starts afresh.
      return new State(cameraId, e.config(), Status.REGISTERED, StreamHealth.IDLE, CameraCounters.ZERO, List.of(), e.at(), e.at());
    }

    State withConfig(CameraConfig newConfig, Instant at) {
      return new State(cameraId, newConfig, status, health, counters, lastDetections, createdAt, at);
    }

    State withStatus(Status newStatus, Instant at) {
      return new State(cameraId, config, newStatus, health, counters, lastDetections, createdAt, at);
    }

    State withDetections(DetectionsRecorded e) {
      CameraCounters c = new CameraCounters(counters.framesSeen(), counters.framesAnalysed(),
          counters.detections() + e.detections().size());
      return new State(cameraId, config, status, health, c, e.detections(), createdAt, updatedAt);
    }
  }

  // ---- wiring ----

  /** Registers the sharded entity type on this node. */
  public static void init(ActorSystem<?> system, CameraMetrics metrics) {
    int snapshotEvery = system.settings().config().getInt("gtv.camera.snapshot-every");
    ClusterSharding.get(system)
        .init(
            Entity.of(
                TYPE_KEY,
                ctx -> create(ctx.getEntityId(), snapshotEvery, metrics, Clock.systemUTC())));
  }

  public static Behavior<Command> create(
      String cameraId, int snapshotEvery, CameraMetrics metrics, Clock clock) {
    return new CameraEntity(cameraId, snapshotEvery, metrics, clock);
  }

  private final String cameraId;
  private final int snapshotEvery;
  private final CameraMetrics metrics;
  private final Clock clock;

  private CameraEntity(String cameraId, int snapshotEvery, CameraMetrics metrics, Clock clock) {
    super(
        PersistenceId.of(TYPE_KEY.name(), cameraId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.1));
    this.cameraId = cameraId;
    this.snapshotEvery = snapshotEvery;
    this.metrics = metrics;
    this.clock = clock;
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
        .build();
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
    return Effect().reply(cmd.replyTo(), new Accepted(state));
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
        cameraId, cmd.frameSequence(), cmd.capturedAt(), cmd.provider(), cmd.detections(), clock.instant());
    return persist(state, List.of(event), cmd);
  }

  private ReplyEffect<Event, State> persist(State state, List<Event> events, Command cmd) {
    if (events.isEmpty()) return Effect().reply(cmd.replyTo(), new Accepted(state));
    long started = System.nanoTime();
    return Effect()
        .persist(events)
        .thenRun(s -> metrics.persisted(System.nanoTime() - started))
        .thenReply(cmd.replyTo(), Accepted::new);
  }

  private ReplyEffect<Event, State> notFound(Command cmd, State state) {
    String message =
        state.status() == Status.REMOVED ? "camera " + cameraId + " was removed" : "camera " + cameraId + " not found";
    return Effect().reply(cmd.replyTo(), new Rejected(RejectionKind.NOT_FOUND, "id", message));
  }

  private ReplyEffect<Event, State> reject(Command cmd, RejectionKind kind, CameraValidator.Problem problem) {
    return Effect().reply(cmd.replyTo(), new Rejected(kind, problem.field(), problem.message()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Registered.class, (state, e) -> state.registered(e))
        .onEvent(Updated.class, (state, e) -> state.withConfig(e.config(), e.at()))
        .onEvent(Enabled.class, (state, e) -> state.withStatus(Status.ENABLED, e.at()))
        .onEvent(Disabled.class, (state, e) -> state.withStatus(Status.DISABLED, e.at()))
        .onEvent(Removed.class, (state, e) -> state.withStatus(Status.REMOVED, e.at()))
        .onEvent(DetectionsRecorded.class, State::withDetections)
        .build();
  }
}
