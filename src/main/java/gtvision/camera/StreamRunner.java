package gtvision.camera;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/**
 * What runs an enabled camera's stream, as a child of its entity. {@code gtvision.camera.stream} provides
 * the real one; the entity knows only this port, so the stream may depend on the entity's commands and
 * never the other way round.
 */
public interface StreamRunner {

  /**
   * The behaviour of the child that runs {@code config}'s stream, numbers its frames from {@code frames}
   * and reports to {@code camera} with {@link CameraEntity.StreamReport}s.
   */
  Behavior<?> stream(String cameraId, CameraConfig config, FrameSequence frames, ActorRef<CameraEntity.Command> camera);

  /** How often the entity persists the stream's statistics. */
  Duration statsPersistInterval();

  /** How long the entity waits before it starts a stream again whose child stopped unexpectedly. */
  Duration respawnDelay();
}
