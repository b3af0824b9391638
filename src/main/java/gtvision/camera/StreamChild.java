package gtvision.camera;

import gtvision.secrets.SecretException;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A camera entity's stream: a watched child actor that runs exactly while the camera is enabled, with
 * the configuration it runs with. Belongs to one entity instance; the instance outlives restarts of its
 * behaviour, its children do not, hence {@link #forget()} on every recovery.
 */
final class StreamChild {
  private final String cameraId;
  private final ActorContext<CameraEntity.Command> context;
  private final Optional<StreamRunner> runner;
  private final LiveStreamStats live;
  // Numbers the frames of every stream this instance runs: a stream replaced after a config change
  // may still have numbered frames whose detections are not recorded yet (on their way here, or
  // stored as evidence by an analysis that outlives the stream), so its successor goes on counting
  // instead of starting after the last recorded number.
  private final FrameSequence frameSequence = new FrameSequence(1);
  private final CameraCredentials credentials;
  private ActorRef<Void> stream;
  private CameraConfig config;
  // Why the wanted stream does not run (its credentials do not open); null when nothing is wrong.
  private String failure;

  StreamChild(String cameraId, ActorContext<CameraEntity.Command> context, Optional<StreamRunner> runner,
      LiveStreamStats live, CameraCredentials credentials) {
    this.cameraId = cameraId;
    this.context = context;
    this.runner = runner;
    this.live = live;
    this.credentials = credentials;
  }

  /** Why the camera is enabled but has no stream, or null. */
  String failure() {
    return failure;
  }

  boolean running() {
    return stream != null;
  }

  /** Runs the stream exactly when the camera is enabled, with its current configuration. */
  void sync(CameraEntity.State state) {
    if (runner.isEmpty()) return;
    boolean wanted = state.enabled();
    if (stream != null && (!wanted || !state.config().equals(config))) stop();
    if (!wanted) failure = null;
    if (wanted && stream == null) {
      // The stream gets the real URL; the entity's state, events and snapshots keep it sealed.
      CameraConfig real;
      try {
        real = credentials.open(cameraId, state.config());
      } catch (SecretException e) {
        String reason = "camera credentials cannot be decrypted: " + e.getMessage()
            + "; configure the key they were encrypted with (gtv.secrets.previous-keys) or send the sourceUrl again";
        if (!reason.equals(failure)) context.getLog().warn("Camera {} not streaming: {}", cameraId, reason);
        failure = reason;
        return;
      }
      failure = null;
      // After a restart or a move to another node this instance starts after the highest recorded
      // number. A frame whose evidence was stored but whose detections were never persisted (a crash in
      // between) gets its number again: the orphan file is overwritten, and no detection points at it.
      frameSequence.skipTo(state.nextFrameSequence());
      Behavior<?> behavior = runner.get().stream(cameraId, real, frameSequence, context.getSelf());
      ActorRef<Void> child = context.spawnAnonymous(behavior).unsafeUpcast();
      context.watchWith(child, new CameraEntity.StreamStopped(child));
      stream = child;
      config = state.config();
      live.reset();
    }
  }

  /** Stops the stream, if one runs; its stop is expected and does not start it again. */
  void stop() {
    if (stream == null) return;
    context.unwatch(stream);
    context.stop(stream);
    forget();
  }

  /** The behaviour restarted (its children are stopped) or {@code child} stopped: no stream runs. */
  void forget() {
    stream = null;
    config = null;
    live.reset();
  }

  /** True when {@code child} is the running stream, which therefore stopped by itself. */
  boolean isCurrent(ActorRef<Void> child) {
    return child.equals(stream);
  }
}
