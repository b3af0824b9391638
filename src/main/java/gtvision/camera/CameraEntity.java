package gtvision.camera;

import gtvision.CborSerializable;
import gtvision.tracking.PathPoint;
import gtvision.tracking.TrackerState;
import gtvision.tracing.TraceLog;
import gtvision.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
   * {@code evidenceKey} names the frame's JPEG in the evidence store (null when none was stored);
   * {@code traceParent} the frame's span (W3C traceparent; null when it is not traced).
   */
  public record ReportFrameAnalysed(
      long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, String evidenceKey,
      String traceParent)
      implements StreamReport {
    public ReportFrameAnalysed {
      detections = List.copyOf(detections);
    }

    public ReportFrameAnalysed(
        long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, String evidenceKey) {
      this(frameSequence, capturedAt, provider, detections, evidenceKey, null);
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

  /**
   * Sent to itself max-age after the latest recorded frame: open objects of a camera that went silent
   * end (the tracker only ends tracks when a frame comes). Never answered; never crosses the network.
   */
  enum ExpireObjects implements Command {
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

  /**
   * Detections of one frame that an external producer sent (bulk ingest); {@code frameSize} the picture's
   * size when the producer sent it (null: not sent), which zones and lines need; {@code traceParent} is the
   * span of the request that brought them (null: not traced).
   */
  public record DetectionGroup(long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections,
      FrameSize frameSize, String traceParent)
      implements CborSerializable {
    public DetectionGroup {
      detections = List.copyOf(detections);
    }

    public DetectionGroup(long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections) {
      this(frameSequence, capturedAt, provider, detections, null, null);
    }

    public DetectionGroup(long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections,
        FrameSize frameSize) {
      this(frameSequence, capturedAt, provider, detections, frameSize, null);
    }

    public DetectionGroup withTraceParent(String parent) {
      return new DetectionGroup(frameSequence, capturedAt, provider, detections, frameSize, parent);
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
   * existed, for ingested detections and when the store failed. {@code traceParent} (W3C traceparent) is
   * the span that persisted it, so that the read sides continue the frame's or the request's trace; null
   * when it was not traced and in events written before it existed.
   */
  public record DetectionsRecorded(
      String cameraId, long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, Instant at,
      String evidenceKey, String traceParent)
      implements Event {

    public DetectionsRecorded(
        String cameraId, long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, Instant at,
        String evidenceKey) {
      this(cameraId, frameSequence, capturedAt, provider, detections, at, evidenceKey, null);
    }

    public DetectionsRecorded(
        String cameraId, long frameSequence, Instant capturedAt, String provider, List<RecordedDetection> detections, Instant at) {
      this(cameraId, frameSequence, capturedAt, provider, detections, at, null, null);
    }

    public DetectionsRecorded withTraceParent(String parent) {
      return new DetectionsRecorded(cameraId, frameSequence, capturedAt, provider, detections, at, evidenceKey, parent);
    }
  }

  /** Events about the camera's tracked objects: what the events read side, Kafka and the live feed carry. */
  public sealed interface ObjectEvent extends Event {
    long trackId();
  }

  /**
   * A tracked object was confirmed (seen in confirm-hits frames): {@code startedAt} is the capture time
   * of its first detection, {@code box} and {@code frame} its detection in the frame that confirmed it
   * (its first best frame), {@code zones} the zones it is in there (none while the picture size is unknown),
   * {@code plate} the plate chosen so far (normalised, see {@link PlateVote}; null: none read, and in events
   * written before plates per object).
   */
  public record ObjectStarted(String cameraId, long trackId, String className, List<Double> box, Instant startedAt,
      ObjectFrame frame, List<String> zones, Instant at, String plate) implements ObjectEvent {
    public ObjectStarted {
      box = List.copyOf(box);
      zones = List.copyOf(zones);
    }

    public ObjectStarted(String cameraId, long trackId, String className, List<Double> box, Instant startedAt,
        ObjectFrame frame, List<String> zones, Instant at) {
      this(cameraId, trackId, className, box, startedAt, frame, zones, at, null);
    }

    ObjectStarted withPlate(String chosen) {
      return new ObjectStarted(cameraId, trackId, className, box, startedAt, frame, zones, at, chosen);
    }
  }

  /**
   * Something worth knowing changed about an open object, never once per frame: {@code reasons} holds
   * {@value #BETTER_FRAME} (a frame clearly better than its best: {@code best}), {@value #CLASS} (the
   * class vote across its frames changed: {@code className}), {@value #STILL} (it stopped moving: no more
   * updates until it moves) or {@value #MOVING} (it moves again). {@code seenAt} is the sighting's capture time.
   * Zones: {@value #ZONE_ENTERED} / {@value #ZONE_LEFT} (its zones changed: {@code zones} are those it is in
   * now), {@value #LOITERING} (it stayed in a zone past the zone's loiterAfter; once per stay:
   * {@code loitering} holds the zones it loiters in, a subset of {@code zones}). Every update carries the
   * current {@code zones} and {@code loitering}.
   * {@value #PLATE}: the plate vote across its frames chose another text ({@code plate}, which every update
   * carries as the current choice; null: none read yet, and in events written before plates per object).
   */
  public record ObjectUpdated(String cameraId, long trackId, List<String> reasons, String className, ObjectFrame best,
      boolean still, List<String> zones, Instant seenAt, Instant at, List<String> loitering, String plate)
      implements ObjectEvent {
    public static final String BETTER_FRAME = "better-frame";
    public static final String CLASS = "class";
    public static final String STILL = "still";
    public static final String MOVING = "moving";
    public static final String ZONE_ENTERED = "zone-entered";
    public static final String ZONE_LEFT = "zone-left";
    public static final String LOITERING = "loitering";
    public static final String PLATE = "plate";

    public ObjectUpdated {
      reasons = List.copyOf(reasons);
      zones = List.copyOf(zones);
      // Null in events written before zones existed.
      loitering = loitering == null ? List.of() : List.copyOf(loitering);
    }

    public ObjectUpdated(String cameraId, long trackId, List<String> reasons, String className, ObjectFrame best,
        boolean still, List<String> zones, Instant seenAt, Instant at) {
      this(cameraId, trackId, reasons, className, best, still, zones, seenAt, at, List.of(), null);
    }

    public ObjectUpdated(String cameraId, long trackId, List<String> reasons, String className, ObjectFrame best,
        boolean still, List<String> zones, Instant seenAt, Instant at, List<String> loitering) {
      this(cameraId, trackId, reasons, className, best, still, zones, seenAt, at, loitering, null);
    }

    ObjectUpdated withPlate(String chosen) {
      return new ObjectUpdated(cameraId, trackId, reasons, className, best, still, zones, seenAt, at, loitering, chosen);
    }

    /** The same update, saying also that the plate choice changed (reasons stay sorted). */
    ObjectUpdated withPlateChange(String chosen) {
      TreeSet<String> all = new TreeSet<>(reasons);
      all.add(PLATE);
      return new ObjectUpdated(cameraId, trackId, List.copyOf(all), className, best, still, zones, seenAt, at, loitering,
          chosen);
    }
  }

  /**
   * A tracked object ended: {@code reason} is {@code lost} (the tracker missed it in max-misses frames or
   * for max-age of capture time), {@code silence} (the camera recorded no frame for max-age) or
   * {@code camera-removed}. {@code dwellMillis} runs from its first to its last sighting; {@code path} is a
   * few box centres from first to last sighting; {@code best} its best frame (with its evidence key, if
   * the frame was stored); {@code plate} its final plate choice (null: none read, and in events written
   * before plates per object).
   */
  public record ObjectEnded(String cameraId, long trackId, String className, Instant startedAt, Instant lastSeen,
      long dwellMillis, List<PathPoint> path, ObjectFrame best, String reason, Instant at, String plate)
      implements ObjectEvent {
    public ObjectEnded {
      path = List.copyOf(path);
    }

    public ObjectEnded(String cameraId, long trackId, String className, Instant startedAt, Instant lastSeen,
        long dwellMillis, List<PathPoint> path, ObjectFrame best, String reason, Instant at) {
      this(cameraId, trackId, className, startedAt, lastSeen, dwellMillis, path, best, reason, at, null);
    }

    ObjectEnded withPlate(String chosen) {
      return new ObjectEnded(cameraId, trackId, className, startedAt, lastSeen, dwellMillis, path, best, reason, at, chosen);
    }
  }

  /**
   * A tracked object crossed one of the camera's lines between two consecutive sightings: {@code direction}
   * is {@value CountLine#IN} (from the left of the line's from -> to to its right, as seen on the picture)
   * or {@value CountLine#OUT}; {@code crossedAt} the capture time of the sighting on the far side;
   * {@code point} the object's anchor there (box bottom centre, fractions of the picture).
   */
  public record LineCrossed(String cameraId, long trackId, String line, String direction, String className,
      Instant crossedAt, List<Double> point, Instant at) implements ObjectEvent {
    public LineCrossed {
      point = List.copyOf(point);
    }
  }

  /**
   * The picture size of a camera's detections, as an ingest producer sent it (frameWidth/frameHeight),
   * when it differs from the one known: zones and lines are fractions of it.
   */
  public record FrameSizeSeen(String cameraId, int width, int height, Instant at) implements Event {}

  /**
   * An object's chosen plate matched an enabled watch-list entry: raised once per object per entry, when
   * the match is first seen (the object's start, a change of its plate choice, or a later sighting after
   * the entry was added or enabled). {@code alertId} is {@code <cameraId>:<trackId>:<entryId>}; the entry's
   * {@code pattern} and {@code label} as they were then; {@code frame} the sighting the match was seen in.
   */
  public record AlertRaised(String cameraId, long trackId, String alertId, String plate, String entryId, String pattern,
      String label, String className, ObjectFrame frame, Instant at) implements Event {}

  /**
   * Told about detection and object events once they are durable (the live feed), in journal order; must
   * not block.
   */
  @FunctionalInterface
  public interface DetectionsListener {
    DetectionsListener NONE = events -> {};

    void persisted(List<? extends Event> events);
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
   * {@code frameSize} is the picture's size as last seen ({@link FirstFrame}, {@link FrameSizeSeen}; null:
   * not known yet, and in snapshots written before zones existed): zones and lines wait for it.
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
      long lastFrameSequence,
      TrackerState tracker,
      List<TrackedObject> objects,
      FrameSize frameSize)
      implements CborSerializable {

    public State {
      lastDetections = List.copyOf(lastDetections);
      // Snapshots written before tracking existed have neither: the camera starts tracking afresh.
      if (tracker == null) tracker = TrackerState.EMPTY;
      objects = objects == null ? List.of() : List.copyOf(objects);
    }

    static State empty(String cameraId) {
      return new State(cameraId, null, Status.UNKNOWN, StreamHealth.IDLE, CameraCounters.ZERO, List.of(), null, null, 0,
          TrackerState.EMPTY, List.of(), null);
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
      // Track ids go on likewise: objects of the earlier registration stay in the read side under theirs.
      return new State(cameraId, e.config(), Status.REGISTERED, StreamHealth.IDLE, CameraCounters.ZERO, List.of(), e.at(),
          e.at(), lastFrameSequence, tracker.restarted(), List.of(), frameSize);
    }

    State withConfig(CameraConfig newConfig, Instant at) {
      return new State(cameraId, newConfig, status, health, counters, lastDetections, createdAt, at, lastFrameSequence, tracker, objects, frameSize);
    }

    State withStatus(Status newStatus, Instant at) {
      return new State(cameraId, config, newStatus, health, counters, lastDetections, createdAt, at, lastFrameSequence, tracker, objects, frameSize);
    }

    State withHealth(StreamHealth newHealth) {
      return new State(cameraId, config, status, newHealth, counters, lastDetections, createdAt, updatedAt,
          lastFrameSequence, tracker, objects, frameSize);
    }

    State withStats(long framesSeen, long framesAnalysed, long framesSkipped, long framesFailed, double measuredFps,
        double analysedFps, Instant lastFrameAt, String analysisError) {
      CameraCounters c = counters.plusFrames(framesSeen, framesAnalysed, framesSkipped, framesFailed, analysedFps,
          analysisError);
      StreamHealth h = new StreamHealth(health.state(), measuredFps,
          lastFrameAt == null ? health.lastFrameAt() : lastFrameAt, health.reconnects(), health.lastError());
      return new State(cameraId, config, status, h, c, lastDetections, createdAt, updatedAt, lastFrameSequence, tracker, objects, frameSize);
    }

    State withStats(StreamStatsRecorded e) {
      return withStats(e.framesSeen(), e.framesAnalysed(), e.framesSkipped(), e.framesFailed(), e.measuredFps(),
          e.analysedFps(), e.lastFrameAt(), e.lastAnalysisError());
    }

    /** Not streaming (any more): no rate is measured. */
    State withoutRates(StreamHealth newHealth) {
      return new State(cameraId, config, status, newHealth, counters.withoutRate(), lastDetections, createdAt, updatedAt,
          lastFrameSequence, tracker, objects, frameSize);
    }

    State withDetections(DetectionsRecorded e, TrackerState advanced) {
      CameraCounters c = counters.plusDetections(e.detections().size());
      // The highest, not the newest: ingested detections carry their producer's numbers, in any order.
      return new State(cameraId, config, status, health, c, e.detections(), createdAt, updatedAt,
          Math.max(lastFrameSequence, e.frameSequence()), advanced, objects, frameSize);
    }

    /** The picture's size, in source pixels: what zones and lines (fractions of it) are measured against. */
    State withFrameSize(FrameSize newSize) {
      return new State(cameraId, config, status, health, counters, lastDetections, createdAt, updatedAt,
          lastFrameSequence, tracker, objects, newSize);
    }

    State withObjects(List<TrackedObject> newObjects, TrackerState newTracker) {
      return new State(cameraId, config, status, health, counters, lastDetections, createdAt, updatedAt,
          lastFrameSequence, newTracker, newObjects, frameSize);
    }

    State objectStarted(ObjectStarted e) {
      List<TrackedObject> next = new ArrayList<>(objects);
      next.removeIf(o -> o.trackId() == e.trackId());
      next.add(new TrackedObject(e.trackId(), e.className(), e.startedAt(), e.frame(), false));
      return withObjects(next, tracker);
    }

    State objectUpdated(ObjectUpdated e) {
      List<TrackedObject> next = objects.stream()
          .map(o -> o.trackId() == e.trackId() ? new TrackedObject(o.trackId(), e.className(), o.startedAt(), e.best(), e.still(),
              o.presence(), o.plates(), o.alerted()) : o)
          .toList();
      return withObjects(next, tracker);
    }

    /** Also drops its track, so an object ended by the camera (a silence, removal) never comes back. */
    State objectEnded(ObjectEnded e) {
      return withObjects(objects.stream().filter(o -> o.trackId() != e.trackId()).toList(), tracker.without(e.trackId()));
    }
  }

  // ---- wiring ----

  /**
   * What an entity works with. {@code streams} runs the stream of an enabled camera (empty: the entity
   * never streams, as in tests of the command and event logic); {@code listener} hears of detections once
   * they are durable; a camera that is not enabled passivates after {@code idleAfter} without a change
   * (sharded entities only); {@code credentials} seals the credentials of source URLs in events and opens
   * them to start the stream; {@code tracing} traces the persist of detections.
   */
  public record Dependencies(
      CameraMetrics metrics, Clock clock, Optional<StreamRunner> streams, DetectionsListener listener, int snapshotEvery,
      Duration idleAfter, CameraCredentials credentials, ObjectSettings objects, PlateSettings plates, PlateWatch watch,
      Tracing tracing) {

    /** A node's cameras: the node's settings ({@code gtv.camera.*}) and the system clock. */
    public static Dependencies of(
        ActorSystem<?> system, CameraMetrics metrics, StreamRunner streams, DetectionsListener listener) {
      var config = system.settings().config();
      return new Dependencies(metrics, Clock.systemUTC(), Optional.of(streams), listener,
          config.getInt("gtv.camera.snapshot-every"), config.getDuration("gtv.camera.passivate-idle-after"),
          CameraCredentials.of(system), ObjectSettings.from(config), PlateSettings.from(config), PlateWatch.NONE,
          Tracing.get(system));
    }

    /** An entity that never streams and tells nobody about detections; its credentials key lives in memory. */
    public static Dependencies withoutStreams(CameraMetrics metrics, Clock clock, int snapshotEvery) {
      return new Dependencies(metrics, clock, Optional.empty(), DetectionsListener.NONE, snapshotEvery, Duration.ZERO,
          new CameraCredentials(gtvision.secrets.SecretBox.ephemeral()), ObjectSettings.DEFAULTS, PlateSettings.DEFAULTS,
          PlateWatch.NONE, Tracing.OFF);
    }

    public Dependencies withStreams(StreamRunner runner) {
      return new Dependencies(metrics, clock, Optional.of(runner), listener, snapshotEvery, idleAfter, credentials, objects, plates, watch, tracing);
    }

    public Dependencies withCredentials(CameraCredentials newCredentials) {
      return new Dependencies(metrics, clock, streams, listener, snapshotEvery, idleAfter, newCredentials, objects, plates, watch, tracing);
    }

    public Dependencies withObjects(ObjectSettings newObjects) {
      return new Dependencies(metrics, clock, streams, listener, snapshotEvery, idleAfter, credentials, newObjects, plates, watch, tracing);
    }

    /** The watch list the camera checks its objects' plates against (a node's: its watch-list view). */
    public Dependencies withWatch(PlateWatch newWatch) {
      return new Dependencies(metrics, clock, streams, listener, snapshotEvery, idleAfter, credentials, objects, plates, newWatch, tracing);
    }

    public Dependencies withPlates(PlateSettings newPlates) {
      return new Dependencies(metrics, clock, streams, listener, snapshotEvery, idleAfter, credentials, objects, newPlates, watch, tracing);
    }

    public Dependencies withTracing(Tracing newTracing) {
      return new Dependencies(metrics, clock, streams, listener, snapshotEvery, idleAfter, credentials, objects, plates, watch, newTracing);
    }

    public Dependencies withListener(DetectionsListener newListener) {
      return new Dependencies(metrics, clock, streams, newListener, snapshotEvery, idleAfter, credentials, objects, plates, watch, tracing);
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
  private Cancellable expiryTimer;
  private long lastFrameNanos = System.nanoTime();
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
        .onCommand(ExpireObjects.class, this::onExpireObjects)
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
          if (expiryTimer != null) expiryTimer.cancel();
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
    // Objects open in the recovered state end after max-age unless a frame comes first.
    scheduleExpiry(state);
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
    // A camera with open objects stays until they end (its frames may just be sparse), so that its
    // silence timer can end them; it is checked again once they have.
    if (!state.enabled() && quiet && state.objects().isEmpty()) passivate();
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
      try (TraceLog log = TraceLog.of(cmd.traceParent())) {
        context.getLog().warn("Camera {} frame {} not recorded: {}", cameraId, cmd.frameSequence(), invalid.get());
      }
      return Effect().noReply();
    }
    Span span = persistSpan(cmd.traceParent(), cmd.frameSequence());
    List<Event> events = traced(withPlates(state, ObjectTracking.frame(deps.objects(), state, cmd.frameSequence(),
        cmd.capturedAt(), cmd.provider(), cmd.detections(), cmd.evidenceKey(), clock.instant())), span);
    long started = System.nanoTime();
    return Effect().persist(events)
        .thenRun(s -> deps.metrics().persisted(System.nanoTime() - started))
        .thenRun(s -> span.end())
        .thenRun(s -> deps.listener().persisted(events))
        .thenRun(this::framesRecorded)
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
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>(ObjectPlates.ended(state, ObjectTracking.endAll(state, ObjectTracking.REMOVED, now)));
    events.add(new Removed(cameraId, now));
    return persist(state, events, cmd);
  }

  private ReplyEffect<Event, State> onGetState(State state, GetState cmd) {
    return Effect().reply(cmd.replyTo(), new Accepted(withLiveStats(state)));
  }

  private ReplyEffect<Event, State> onRecordDetections(State state, RecordDetections cmd) {
    Optional<String> invalid = invalidDetections(cmd.detections());
    if (invalid.isPresent()) {
      return Effect().reply(cmd.replyTo(), new Rejected(RejectionKind.INVALID, "detections", invalid.get()));
    }
    List<Event> events = withPlates(state, ObjectTracking.frame(deps.objects(), state, cmd.frameSequence(),
        cmd.capturedAt(), cmd.provider(), cmd.detections(), cmd.evidenceKey(), clock.instant()));
    return persist(state, events, cmd);
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
    // The tracker takes frames in capture order (frame number breaking ties), whatever order the producer
    // listed them in; a frame older than one already tracked is recorded untracked.
    List<DetectionGroup> ordered = cmd.groups().stream()
        .sorted(Comparator.comparing(DetectionGroup::capturedAt).thenComparingLong(DetectionGroup::frameSequence))
        .toList();
    List<Event> events = new ArrayList<>();
    List<Span> spans = new ArrayList<>();
    State s = state;
    for (DetectionGroup g : ordered) {
      FrameSize size = g.frameSize();
      if (size != null && !size.equals(s.frameSize())) {
        FrameSizeSeen seen = new FrameSizeSeen(cameraId, size.width(), size.height(), now);
        events.add(seen);
        s = applied(s, List.of(seen));
      }
      Span span = g.traceParent() == null ? Span.getInvalid() : persistSpan(g.traceParent(), g.frameSequence());
      if (span.getSpanContext().isValid()) spans.add(span);
      List<Event> frame = traced(withPlates(s, ObjectTracking.frame(deps.objects(), s, g.frameSequence(), g.capturedAt(),
          g.provider(), g.detections(), null, now)), span);
      events.addAll(frame);
      s = applied(s, frame);
    }
    if (spans.isEmpty()) return persist(state, events, cmd);
    return persist(state, events, cmd, () -> spans.forEach(Span::end));
  }

  /**
   * The span of a frame's persist, a child of the frame's (or the ingest request's) span; it ends once
   * the events are durable. The no-op span when tracing is off or the frame is not traced.
   */
  private Span persistSpan(String traceParent, long frameSequence) {
    if (traceParent == null) return Span.getInvalid();
    Span span = deps.tracing().child("persist DetectionsRecorded", SpanKind.INTERNAL, traceParent);
    span.setAttribute(Tracing.CAMERA, cameraId);
    span.setAttribute(Tracing.FRAME, frameSequence);
    return span;
  }

  /** The frame's DetectionsRecorded carries its persist span on to the read sides. */
  private static List<Event> traced(List<Event> events, Span span) {
    String parent = Tracing.traceParent(span);
    if (parent == null) return events;
    return events.stream()
        .map(e -> e instanceof DetectionsRecorded d ? (Event) d.withTraceParent(parent) : e)
        .toList();
  }

  private ReplyEffect<Event, State> persist(State state, List<Event> events, ClientCommand cmd) {
    return persist(state, events, cmd, () -> {});
  }

  /** {@code durable} runs once the events are (the spans of their persist end). */
  private ReplyEffect<Event, State> persist(State state, List<Event> events, ClientCommand cmd, Runnable durable) {
    if (events.isEmpty()) return Effect().reply(cmd.replyTo(), new Accepted(withLiveStats(state)));
    long started = System.nanoTime();
    List<Event> outputs = events.stream().filter(CameraEntity::isOutput).toList();
    // A picture size seen on ingest changes neither the stream nor whether the camera may sleep.
    boolean lifecycle = events.stream().anyMatch(e -> !isOutput(e) && !(e instanceof FrameSizeSeen));
    return Effect()
        .persist(events)
        .thenRun(s -> deps.metrics().persisted(System.nanoTime() - started))
        .thenRun(s -> durable.run())
        .thenRun(s -> {
          if (!outputs.isEmpty()) deps.listener().persisted(outputs);
        })
        .thenRun(s -> {
          if (events.stream().anyMatch(e -> e instanceof DetectionsRecorded)) framesRecorded(s);
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

  /** Detections, objects and alerts: what the listener (live feed) hears of. */
  private static boolean isOutput(Event e) {
    return e instanceof DetectionsRecorded || e instanceof ObjectEvent || e instanceof AlertRaised;
  }

  /** A frame was recorded: open objects end if no other frame comes for the tracker's max-age. */
  private void framesRecorded(State state) {
    lastFrameNanos = System.nanoTime();
    scheduleExpiry(state);
  }

  private void scheduleExpiry(State state) {
    if (expiryTimer != null) expiryTimer.cancel();
    expiryTimer = state.objects().isEmpty()
        ? null
        : context.scheduleOnce(deps.objects().tracker().maxAge(), context.getSelf(), ExpireObjects.INSTANCE);
  }

  private ReplyEffect<Event, State> onExpireObjects(State state, ExpireObjects cmd) {
    // A timer cancelled too late may still arrive: only a real silence of max-age counts.
    boolean silent = System.nanoTime() - lastFrameNanos >= deps.objects().tracker().maxAge().toNanos();
    if (!silent || state.objects().isEmpty()) return Effect().noReply();
    List<Event> events = ObjectPlates.ended(state, ObjectTracking.endAll(state, ObjectTracking.SILENCE, clock.instant()));
    return Effect().persist(events)
        .thenRun(s -> deps.listener().persisted(events))
        .thenRun(this::scheduleIdlePassivation)
        .thenNoReply();
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
        .onEvent(FirstFrame.class, (state, e) ->
            state.withHealth(state.health().frameAt(e.capturedAt())).withFrameSize(frameSize(e.width(), e.height(), state)))
        .onEvent(FrameSizeSeen.class, (state, e) -> state.withFrameSize(frameSize(e.width(), e.height(), state)))
        .onEvent(StreamLost.class, (state, e) -> state.withoutRates(state.health().lost(e.reason())))
        .onEvent(StreamStatsRecorded.class, State::withStats)
        .onEvent(DetectionsRecorded.class, this::applyFrame)
        .onEvent(ObjectStarted.class, this::objectStarted)
        .onEvent(ObjectUpdated.class, CameraEntity::objectUpdated)
        .onEvent(ObjectEnded.class, State::objectEnded)
        .onEvent(LineCrossed.class, (state, e) -> state)
        .onEvent(AlertRaised.class, ObjectPlates::alerted)
        .build();
  }

  /** A frame's object events with the plate decisions (chosen plate, plate updates, alerts) added. */
  private List<Event> withPlates(State state, List<Event> events) {
    return ObjectPlates.frame(deps.plates(), deps.watch(), state, events);
  }

  /**
   * The tracker moves on with every recorded frame, here rather than in the command handler, so that
   * recovery (from a snapshot, then the events after it) rebuilds exactly the tracker state the camera
   * had: tracks carry across a restart, a rebalance or a passivation, and objects do not split.
   */
  private State applyFrame(State state, DetectionsRecorded e) {
    State next = state.withDetections(e, ObjectTracking.advance(deps.objects(), state.tracker(), e));
    return ObjectPlates.votes(deps.plates(), ZoneTracking.moved(next, e), e);
  }

  private State objectStarted(State state, ObjectStarted e) {
    return ObjectPlates.started(deps.plates(), ZoneTracking.started(state.objectStarted(e), e), e);
  }

  private static State objectUpdated(State state, ObjectUpdated e) {
    return ZoneTracking.updated(state, state.objectUpdated(e), e);
  }

  /** A size from an event; an impossible one (never written, but replay must not fail on it) keeps the known one. */
  private static FrameSize frameSize(int width, int height, State state) {
    return width > 0 && height > 0 ? new FrameSize(width, height) : state.frameSize();
  }

  /** The state after {@code events}, as the event handler makes it (a command producing several frames' events). */
  private State applied(State state, List<Event> events) {
    State s = state;
    for (Event e : events) {
      if (e instanceof DetectionsRecorded d) s = applyFrame(s, d);
      else if (e instanceof ObjectStarted o) s = objectStarted(s, o);
      else if (e instanceof ObjectUpdated o) s = objectUpdated(s, o);
      else if (e instanceof FrameSizeSeen f) s = s.withFrameSize(frameSize(f.width(), f.height(), s));
      else if (e instanceof ObjectEnded o) s = s.objectEnded(o);
      else if (e instanceof AlertRaised a) s = ObjectPlates.alerted(s, a);
    }
    return s;
  }
}
