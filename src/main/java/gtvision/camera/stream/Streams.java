package gtvision.camera.stream;

import gtvision.camera.CameraConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.FrameSequence;
import gtvision.camera.StreamRunner;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;

/** What a node's cameras need to run their streams: settings, meters and the analyser. */
public record Streams(StreamSettings settings, StreamMetrics metrics, FrameAnalyser analyser) implements StreamRunner {

  public static Streams create(ActorSystem<?> system, StreamMetrics metrics, FrameAnalyser analyser) {
    return new Streams(StreamSettings.from(system.settings().config()), metrics, analyser);
  }

  @Override
  public Behavior<?> stream(String cameraId, CameraConfig config, FrameSequence frames, ActorRef<CameraEntity.Command> camera) {
    return CameraStreamSupervisor.create(cameraId, config, this, frames, camera);
  }

  @Override
  public Duration statsPersistInterval() {
    return settings.statsPersistInterval();
  }

  @Override
  public Duration respawnDelay() {
    return settings.backoffMin();
  }
}
